#pragma once
// Background work (training, thumbnail decoding) runs below normal priority so the GUI thread gets a core as
// soon as it wakes, even when that work keeps every core busy: a late frame is what a user feels.

namespace rm::ui {

inline constexpr int kTrainingNiceness = 10;
inline constexpr int kThumbnailNiceness = 5; // behind the GUI, ahead of training

// Lowers the calling thread's priority to `niceness` (Linux: niceness is per thread and inherited by the
// threads it starts). Never raises it; a no-op elsewhere.
void lowerCurrentThreadPriority(int niceness);

} // namespace rm::ui
