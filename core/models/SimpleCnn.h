#pragma once
// The seed's comparison model: exactly three convolutional layers, and (as the classifier's head) one fully
// connected layer. conv(3x3) -> BN -> ReLU [-> 2x2 max pool] three times, 32/64/128 channels, global average
// pool; RingClassifier adds Linear(128, 1). Trained from scratch, so its names follow no reference.
#include "models/Encoder.h"

#include <memory>

namespace rm {

std::shared_ptr<Encoder> buildSimpleCnn(const EncoderOptions& options);

} // namespace rm
