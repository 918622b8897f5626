// ItemLocks: the striped item locks. Stripe = hash & (count - 1). An item's lock guards its hash
// chain (the bucket it hashes to), its header fields, and every refcount increment.
//
// The stripe count never exceeds the smallest bucket count the hash table ever has, so a bucket
// of the old table and both buckets it splits into share one stripe; that is what lets the hash
// table migrate a bucket under a single lock while readers run.
//
// Lock order: item lock -> LRU lock -> allocator lock. A thread holds at most one item lock at a
// time with a blocking lock(); code that needs a second one (the evictor) uses try_lock and must
// skip the stripe it already holds (std::mutex::try_lock by the owner is undefined).
//
// Each mutex sits on its own cache line so neighbouring stripes do not false-share.
#ifndef SLABD_SLAB_ITEM_LOCKS_H_
#define SLABD_SLAB_ITEM_LOCKS_H_

#include <cstdint>
#include <memory>
#include <mutex>

namespace slabd::slab {

class ItemLocks {
 public:
  // 2^power stripes.
  explicit ItemLocks(int power)
      : mask_((1u << power) - 1), locks_(std::make_unique<Padded[]>(mask_ + 1)) {}

  uint32_t StripeOf(uint32_t hash) const { return hash & mask_; }
  std::mutex& Stripe(uint32_t stripe) const { return locks_[stripe].mu; }
  std::mutex& ForHash(uint32_t hash) const { return Stripe(StripeOf(hash)); }
  uint32_t count() const { return mask_ + 1; }

 private:
  struct alignas(64) Padded {
    std::mutex mu;
  };
  const uint32_t mask_;
  std::unique_ptr<Padded[]> locks_;
};

// "No stripe held", for callers of code that may try_lock other stripes.
inline constexpr int64_t kNoStripe = -1;

}  // namespace slabd::slab

#endif  // SLABD_SLAB_ITEM_LOCKS_H_
