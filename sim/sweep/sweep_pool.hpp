#pragma once
// A fixed pool of worker threads for independent tasks: tasks are handed out in index order from
// a shared counter (no queue to fill). The tasks must share nothing mutable but what they lock
// themselves; each simulation owns its simulator, network and random streams.
#include <csignal>
#include <cstddef>
#include <functional>

namespace tcpsim {

// The number of hardware threads, at least 1.
unsigned default_jobs();

// Runs task(i) for every i in [0, count) on min(jobs, count) threads and waits for all. If a
// task throws, no further task starts; the first exception is rethrown once the running ones
// have finished. Once `*stop` is set (a signal handler's flag), no further task starts either.
void run_parallel(size_t count, unsigned jobs, const std::function<void(size_t)>& task,
                  const volatile std::sig_atomic_t* stop = nullptr);

}  // namespace tcpsim
