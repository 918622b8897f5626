// Test helpers for slab/: a FakeClock that only moves when told, and a fixture base whose tiny
// helpers (Set, Lookup, ...) make each store test read like a spec. Deterministic: no sleeps,
// no wall clock, small memory limits.
#ifndef SLABD_T_UNIT_SLAB_STORE_TEST_UTIL_H_
#define SLABD_T_UNIT_SLAB_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "slab/clock.h"
#include "slab/store.h"

namespace slabd::slab {

class FakeClock : public Clock {
 public:
  static constexpr RelTime kStart = 1000;
  static constexpr int64_t kEpoch = 1700000000;

  RelTime Now() const override { return now_.load(std::memory_order_relaxed); }
  int64_t EpochUnix() const override { return kEpoch; }
  void Advance(RelTime seconds) { now_.fetch_add(seconds, std::memory_order_relaxed); }

 private:
  std::atomic<RelTime> now_{kStart};
};

// 4 KB pages so a handful of items fills a page; one page of budget unless a test says more.
inline StoreOptions TinyOptions() {
  StoreOptions o;
  o.page_size = 4096;
  o.slab_chunk_max = 2048;
  o.item_size_max = 16384;
  o.max_bytes = 4096;
  o.hashpower = 4;
  o.lock_power = 2;
  return o;
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() { Init(StoreOptions{}); }

  void Init(const StoreOptions& options) {
    store_.reset();
    store_ = std::make_unique<Store>(options, &clock_);
  }
  LinkResult Put(std::string_view key, std::string_view value, StoreMode mode,
                   uint64_t cas = 0, uint32_t flags = 0, RelTime exptime = 0) {
    ReserveResult r = store_->Reserve(key, flags, exptime, static_cast<uint32_t>(value.size()));
    if (r.status != AllocStatus::kOk) return {StoreStatus::kNotStored, 0, ClassId{}};
    std::memcpy(r.reservation.value().data(), value.data(), value.size());
    return store_->Link(std::move(r.reservation), mode, cas);
  }
  LinkResult Set(std::string_view key, std::string_view value, uint32_t flags = 0,
                 RelTime exptime = 0) {
    return Put(key, value, StoreMode::kSet, 0, flags, exptime);
  }
  // The stored value, or nullopt on a miss. Marks the item fetched, like `get`.
  std::optional<std::string> Lookup(std::string_view key) {
    LookupResult r = store_->Get(key);
    if (!r.item) return std::nullopt;
    return std::string(r.item.value());
  }
  // Like Lookup without access marking.
  std::optional<std::string> PeekValue(std::string_view key) {
    LookupResult r = store_->Peek(key);
    if (!r.item) return std::nullopt;
    return std::string(r.item.value());
  }
  uint64_t CasOf(std::string_view key) {
    LookupResult r = store_->Peek(key);
    return r.item ? r.item.cas() : 0;
  }
  RelTime Now() const { return clock_.Now(); }

  FakeClock clock_;
  std::unique_ptr<Store> store_;
};

}  // namespace slabd::slab

#endif  // SLABD_T_UNIT_SLAB_STORE_TEST_UTIL_H_
