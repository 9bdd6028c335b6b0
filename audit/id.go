package audit

// ValidID reports whether id has the shape of an id NewID makes: "aud_"
// and 26 lower-case base32 characters.
func ValidID(id string) bool {
	if len(id) != 30 || id[:4] != "aud_" {
		return false
	}
	for _, c := range id[4:] {
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}
