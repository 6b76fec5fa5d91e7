package identity

// IsInviteCode reports whether s has the form of an invite code (it may
// still name no invite): for edges that put a code into something they
// hand back, such as a join link's QR code, without asking the log.
func IsInviteCode(s string) bool {
	if len(s) != b64url.EncodedLen(inviteCodeBytes) {
		return false
	}
	_, err := b64url.DecodeString(s)
	return err == nil
}
