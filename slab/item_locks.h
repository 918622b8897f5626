// ItemLocks: the striped item locks. Stripe = hash & (count - 1). An item's lock guards its hash
// chain (the bucket it hashes to), its header fields, and every refcount increment.
//
// The stripe count never exceeds the smallest bucket count the hash table ever has, so a bucket
// of the old table and both buckets it splits into share one stripe; that is what lets the hash
// table migrate a bucket under a single lock while readers run.
//
// Lock order: item lock -> LRU lock -> allocator lock. A thread holds at most one item lock at a
// time with a blocking lock(); code that needs a second one (the evictor) uses try_lock and must
// skip the stripe it already holds (a SpinLock is not recursive: its owner's try_lock fails,
// its lock() would spin forever).
//
// The locks are SpinLocks (slab/spin_lock.h): every hold is a hash-chain walk and a few header
// fields (a large append's copy is the longest), and a get takes its stripe twice (the
// prefetch pass and the lookup), so the lock is on the hottest path there is. A std::mutex
// costs a call into glibc and an atomic on unlock as well; measured on 50-key multigets the
// four mutex calls per key were 8% of the server's CPU.
//
// Each lock sits on its own cache line so neighbouring stripes do not false-share. The line
// also holds the stripe's CAS block (the Store's per-stripe CAS allocator, slab/README.md
// "Item lifecycle"): whoever holds the lock owns that line already, so advancing the block
// costs no extra cache miss and no atomic.
#ifndef SLABD_SLAB_ITEM_LOCKS_H_
#define SLABD_SLAB_ITEM_LOCKS_H_

#include <cstdint>
#include <memory>

#include "slab/spin_lock.h"

namespace slabd::slab {

// A stripe's run of CAS values [next, end), reserved from the Store's global counter while the
// flush epoch was `epoch`. Plain fields: GUARDED_BY the stripe's mutex. Starts empty.
struct CasBlock {
  uint64_t next = 0;
  uint64_t end = 0;
  uint64_t epoch = 0;
};

class ItemLocks {
 public:
  // 2^power stripes.
  explicit ItemLocks(int power)
      : mask_((1u << power) - 1), locks_(std::make_unique<Padded[]>(mask_ + 1)) {}

  uint32_t StripeOf(uint32_t hash) const { return hash & mask_; }
  SpinLock& Stripe(uint32_t stripe) const { return locks_[stripe].mu; }
  SpinLock& ForHash(uint32_t hash) const { return Stripe(StripeOf(hash)); }
  uint32_t count() const { return mask_ + 1; }
  // REQUIRES: Stripe(stripe) held.
  CasBlock& CasBlockOf(uint32_t stripe) const { return locks_[stripe].cas; }

 private:
  struct alignas(64) Padded {
    mutable SpinLock mu;
    CasBlock cas;  // GUARDED_BY(mu)
  };
  // Lock and block share one line.
  static_assert(sizeof(Padded) == 64);
  const uint32_t mask_;
  std::unique_ptr<Padded[]> locks_;
};

// "No stripe held", for callers of code that may try_lock other stripes.
inline constexpr int64_t kNoStripe = -1;

}  // namespace slabd::slab

#endif  // SLABD_SLAB_ITEM_LOCKS_H_
