package fabnettest

import (
	"io"
	"os"
)

func writerOrDiscard(f *os.File) io.Writer {
	if f == nil {
		return io.Discard
	}
	return f
}
