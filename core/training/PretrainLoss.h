#pragma once
// The NT-Xent loss of SimCLR (normalised temperature-scaled cross entropy). Private to core/training: it
// includes torch.
#include <torch/types.h>

namespace rm {

// z1, z2: [N, D] projections of the two views of the same N images (row i of z1 and row i of z2 are a
// positive pair). Every projection is L2-normalised; for each of the 2N views the loss is the cross entropy
// of its cosine similarities / temperature to the 2N-1 other views, the positive being the other view of
// the same image; the mean over the 2N views is returned. Throws rm::Error for N < 2 or mismatched shapes.
torch::Tensor ntXentLoss(const torch::Tensor& z1, const torch::Tensor& z2, double temperature);

} // namespace rm
