// Result types of the Store facade. Every result carries the ClassId of the item involved so
// src/ can keep memcached's per-class op counters (get_hits, cmd_set, ...) per thread, indexed by
// ClassId::v (kMaxClassIds entries). slab/ itself counts only memory-side events.
#ifndef SLABD_SLAB_STORE_RESULTS_H_
#define SLABD_SLAB_STORE_RESULTS_H_

#include <cstdint>

#include "slab/item_ref.h"
#include "slab/reservation.h"
#include "slab/size_class_table.h"

namespace slabd::slab {

enum class AllocStatus { kOk, kTooLarge, kNoMemory };
enum class StoreMode { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };
enum class StoreStatus { kStored, kNotStored, kExists, kNotFound };
enum class MissReason { kNone /* hit */, kMissing, kExpired, kFlushed };
enum class DeleteStatus { kDeleted, kNotFound, kExists /* cas mismatch */ };
enum class ArithStatus { kOk, kNotFound, kNonNumeric, kNoMemory, kExists /* cas mismatch */ };

struct [[nodiscard]] ReserveResult {
  AllocStatus status;
  Reservation reservation;  // set iff status == kOk
};

struct [[nodiscard]] LookupResult {
  ItemRef item;       // set iff reason == kNone
  MissReason reason;  // kMissing also covers "refcount limit reached" (memcached limited_get)
};

struct LinkResult {
  StoreStatus status;
  uint64_t cas;  // the new CAS when stored (0 with use_cas off), else 0
  ClassId cls;   // class of the reservation (memcached counts set_cmds/cas_* there)
};

struct DeleteResult {
  DeleteStatus status;
  ClassId cls;  // class of the item found, or 0
};

struct ArithResult {
  ArithStatus status;
  uint64_t value;  // the new number when kOk (the reply prints it unpadded)
  uint64_t cas;    // the new CAS when kOk (0 with use_cas off)
  ClassId cls;     // class of the item found, or 0
  RelTime exptime = 0;  // the item's exptime before `new_exptime` was applied, when kOk
};

// Meta-protocol extras of a store (ms): see Store::Link.
struct LinkOptions {
  uint64_t explicit_cas = 0;  // E: the stored item's CAS instead of the next one (0: next)
  bool allow_stale = false;   // I with kCas: an older CAS stores, marking the item stale
  bool key_binary = false;    // b: remember that the key came base64-encoded
};

// mg: what happens to the item besides the read, in the order the flags were given.
struct MetaGetOptions {
  // kAbort: memcached stops at an over-long opaque: the ops after it, the token logic and
  // a delayed access bump do not happen.
  enum class Op : uint8_t { kTouch, kVivify, kRecache, kAbort };
  Op order[4];
  int op_count = 0;
  RelTime touch_exptime = 0;    // T: new exptime
  RelTime vivify_exptime = 0;   // N: on a miss, create an empty item with this exptime
  RelTime recache_time = 0;     // R: hand out the win token when exptime is before this
  bool no_update = false;       // u: no access marking
  bool delay_bump = false;      // T N R l h: the access is marked after the flags (not on abort)
  bool key_binary = false;      // b: a vivified item's key came base64-encoded
  uint64_t explicit_cas = 0;    // E: a vivified item's CAS (0: next)
  void Add(Op op) { order[op_count++] = op; }
  bool Has(Op op) const {
    for (int i = 0; i < op_count; ++i)
      if (order[i] == op) return true;
    return false;
  }
};

struct [[nodiscard]] MetaGetResult {
  ItemRef item;         // set on a hit or a vivify; snapshot exptime is before T/N
  MissReason reason = MissReason::kMissing;
  bool created = false;     // N made the item
  bool won = false;         // W: this caller holds the recache token now
  bool token_sent = false;  // Z: someone else already had it
  bool stale = false;       // X
  bool overflow = false;    // refcount limit: memcached's "refcount overflow during fetch"
  bool aborted = false;     // a kAbort op was reached
  bool copied = false;      // MetaGet with a copy function: the hit went to it, no reference
  ClassId class_id;         // of a hit, referenced or copied
};

struct TouchResult {
  bool found;
  ClassId cls;  // class of the item touched, or 0
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_STORE_RESULTS_H_
