#include "sim/sweep/sweep_pool.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tcpsim {

unsigned default_jobs() { return std::max(1u, std::thread::hardware_concurrency()); }

void run_parallel(size_t count, unsigned jobs, const std::function<void(size_t)>& task,
                  const volatile std::sig_atomic_t* interrupted) {
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto worker = [&] {
        while (!stop.load()) {
            if (interrupted && *interrupted) return;
            size_t i = next.fetch_add(1);
            if (i >= count) return;
            try {
                task(i);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = std::current_exception();
                stop = true;
            }
        }
    };
    const size_t threads = std::min<size_t>(std::max(1u, jobs), count);
    if (threads <= 1) {
        worker();  // on the caller's thread: simplest to debug, same results
    } else {
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
        for (auto& t : pool) t.join();
    }
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace tcpsim
