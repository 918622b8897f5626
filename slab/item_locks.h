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
// Each mutex sits on its own cache line so neighbouring stripes do not false-share. The line
// also holds the stripe's CAS block (the Store's per-stripe CAS allocator, slab/README.md
// "Item lifecycle"): whoever holds the mutex owns that line already, so advancing the block
// costs no extra cache miss and no atomic.
#ifndef SLABD_SLAB_ITEM_LOCKS_H_
#define SLABD_SLAB_ITEM_LOCKS_H_

#include <cstdint>
#include <memory>
#include <mutex>

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
  std::mutex& Stripe(uint32_t stripe) const { return locks_[stripe].mu; }
  std::mutex& ForHash(uint32_t hash) const { return Stripe(StripeOf(hash)); }
  uint32_t count() const { return mask_ + 1; }
  // REQUIRES: Stripe(stripe) held.
  CasBlock& CasBlockOf(uint32_t stripe) const { return locks_[stripe].cas; }

 private:
  struct alignas(64) Padded {
    std::mutex mu;
    CasBlock cas;  // GUARDED_BY(mu)
  };
  // glibc's std::mutex is 40 bytes: mutex and block share one line.
  static_assert(sizeof(Padded) == 64);
  const uint32_t mask_;
  std::unique_ptr<Padded[]> locks_;
};

// "No stripe held", for callers of code that may try_lock other stripes.
inline constexpr int64_t kNoStripe = -1;

}  // namespace slabd::slab

#endif  // SLABD_SLAB_ITEM_LOCKS_H_
