// wbad as a process: configuration, the I/O thread pool, signals (SIGTERM drains, SIGHUP
// reloads), and the wiring of key sources, replay store, verify service and server.
#pragma once

namespace wbad {

// Runs the daemon; returns the process exit code (2 for invalid configuration).
int run_daemon(int argc, const char* const* argv);

}  // namespace wbad
