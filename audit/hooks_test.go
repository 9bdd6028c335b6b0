package audit

import "time"

// Hooks for the tests in package audit_test.

// Abandon stops l as a crash would: its committer stops, nothing is
// marked, and its instance is no longer live in this process.
func Abandon(l *Log) {
	l.closeOnce.Do(func() {
		l.stopTaking()
		close(l.queue)
		<-l.done
		live.Delete(l.writer.Instance)
	})
}

// SetPID makes l write pid into the begin records it writes from now on.
func SetPID(l *Log, pid int) { l.writer.PID = pid }

// SettingScanned is the setting MarkInterrupted resumes from.
const SettingScanned = settingScanned

// NewIDAt is NewID as if made at t.
func NewIDAt(t time.Time) string { return newID(t) }
