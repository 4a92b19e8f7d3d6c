// Package browsertest drives the web console (gateway/console) in headless
// Chromium against a real gateway on a real Fabric network: the demo story
// done through the pages, with screenshots kept as artifacts. It has only
// tests; see docs/console.md for how to run them.
package browsertest
