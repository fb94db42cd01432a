#include "models/RingClassifier.h"

#include "models/ModelRegistry.h"
#include "util/Error.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/options/linear.h>

namespace rm {

RingClassifier::RingClassifier(std::shared_ptr<Encoder> encoder, const ModelOptions& options)
    : m_encoder(std::move(encoder)), m_options(options)
{
    if (!m_encoder) throw Error("RingClassifier: no encoder");
    if (options.headDropout < 0.0 || options.headDropout >= 1.0)
        throw Error("RingClassifier: head dropout must be in [0, 1)");
    m_options.arch = m_encoder->arch();
    m_options.inChannels = m_encoder->inChannels();
    register_module("encoder", m_encoder);
    m_head =
        register_module("head", torch::nn::Linear(torch::nn::LinearOptions(m_encoder->numFeatures(), 1)));
}

torch::Tensor RingClassifier::forward(const torch::Tensor& x)
{
    torch::Tensor f = m_encoder->features(x);
    if (m_options.headDropout > 0.0) f = torch::dropout(f, m_options.headDropout, is_training());
    return m_head->forward(f).squeeze(1);
}

void RingClassifier::train(bool on)
{
    torch::nn::Module::train(on);
    if (!on) return;
    for (auto& module : m_encoder->modules(/*include_self=*/false)) {
        auto* bn = module->as<torch::nn::BatchNorm2d>();
        if (bn && bn->weight.defined() && !bn->weight.requires_grad()) bn->eval();
    }
}

std::shared_ptr<RingClassifier> createModel(const ModelOptions& options)
{
    EncoderOptions e;
    e.inChannels = options.inChannels;
    e.dropPathRate = options.dropPathRate;
    return std::make_shared<RingClassifier>(createEncoder(options.arch, e), options);
}

} // namespace rm
