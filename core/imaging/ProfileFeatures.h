#pragma once
// Hand-made features of a centred galaxy image for the feature baseline (arch "profile_lr"): the radial
// brightness profile normalised to the centre and its slope, a ring-bump measure, azimuthal smoothness,
// and, for 3-channel images, R/G and B/G colour ratios in a centre, inner and outer zone. Ring hosts differ
// in all of these (a bump in the profile, a redder bulge), and a logistic regression on them is the floor
// every CNN must beat on small label sets. Pure pixel work: planar floats in [0, 1], no Qt, no torch.
#include <string>
#include <vector>

namespace rm {

inline constexpr int kProfileBins = 16;

// The names of the features, in the order profileFeatures() writes them (34 for 1 channel, 40 for 3).
std::vector<std::string> profileFeatureNames(int channels);

// Features of one image, planar (channel by channel, rows top to bottom), values in [0, 1], the galaxy at
// the centre. Throws rm::Error for channels other than 1 or 3 or an image smaller than 8x8.
std::vector<double> profileFeatures(const float* planar, int channels, int height, int width);

} // namespace rm
