package tools

import (
	"fmt"
	"os"
	"syscall"
)

// fileFingerprint identifies a file's current content without reading it:
// device, inode, size, modification and change time. The change time moves
// on every write, chmod or rename onto the file and cannot be set by a user.
func fileFingerprint(info os.FileInfo) (string, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d:%d %d %d.%09d %d.%09d", st.Dev, st.Ino, st.Size,
		st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec), true
}
