// Package peers measures TierChain's cryptography side by side with other
// implementations. It is its own module so that those implementations never
// become dependencies of the product.
package peers
