package main

import "time"

// cpuTime is 0 on Windows, where the load section reports no CPU per
// request (the benchmark's local stack does not run there: local up needs
// WSL2).
func cpuTime() time.Duration { return 0 }
