package stack

// EmulatorURLs are the emulators' own URLs, behind the proxies: tests check
// that Close stops the processes too.
func (s *Stack) EmulatorURLs() []string { return []string{s.kumo.URL, s.moto.URL} }
