#include "training/TrainSession.h"

#include "training/Device.h"
#include "training/Metrics.h"

#include <torch/autograd.h>
#include <torch/nn/functional/dropout.h>

#include <cmath>
#include <limits>

namespace rm {

void TrainSession::setTrainingMode()
{
    model->train(true);
    if (model->fineTune().mode == FineTuneMode::HeadOnly) model->encoder()->eval();
}

torch::Tensor headLogits(RingClassifier& model, const torch::Tensor& features)
{
    torch::Tensor f = features;
    if (model.options().headDropout > 0.0)
        f = torch::dropout(f, model.options().headDropout, model.is_training());
    return model.head()->forward(f).squeeze(1);
}

TrainStepper::TrainStepper(TrainSession& session, int stepsPerEpoch)
    : m_session(session), m_stepsPerEpoch(stepsPerEpoch),
      m_schedule(session.config.learningRate, session.config.minLearningRate,
                 long(session.config.warmupEpochs) * stepsPerEpoch,
                 long(session.config.epochs) * stepsPerEpoch)
{
}

void TrainStepper::beginEpoch(int epoch)
{
    m_epoch = epoch;
    m_step = 0;
    m_images = 0;
    m_lossSum = 0;
    m_validSum = 0;
    m_pending.reset();
    m_start = std::chrono::steady_clock::now();
}

void TrainStepper::step(const std::function<torch::Tensor()>& forward, const torch::Tensor& labels,
                        const torch::Tensor& mask, int validCount, int batchSize,
                        const std::function<torch::Tensor()>& extraLoss)
{
    const long globalStep = long(m_epoch) * m_stepsPerEpoch + m_step;
    const double factor = m_schedule.factor(globalStep);
    auto& groups = m_session.optimizer->param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g)
        static_cast<torch::optim::AdamWOptions&>(groups[g].options()).lr(m_session.baseLrs[g] * factor);
    m_lastLr = m_session.baseLrs.front() * factor;
    m_images += batchSize;

    if (validCount > 0) {
        m_session.optimizer->zero_grad();
        torch::Tensor logits;
        {
            AutocastScope autocast(m_session.autocast);
            logits = forward();
        }
        torch::Tensor loss = maskedBceLoss(logits, labels, mask, validCount, m_session.loss);
        torch::Tensor extra;
        if (extraLoss) {
            AutocastScope autocast(m_session.autocast);
            extra = extraLoss();
        }
        (extra.defined() ? loss + extra.to(torch::kFloat) : loss).backward();
        m_session.optimizer->step();
        flush();
        m_pending = Pending{loss.detach(), m_step, validCount, m_lastLr, m_images};
    }
    ++m_step;
}

void TrainStepper::flush()
{
    if (!m_pending) return;
    const Pending p = std::move(*m_pending);
    m_pending.reset();
    const double loss = p.loss.item<double>();
    m_lossSum += loss * p.valid;
    m_validSum += p.valid;
    const auto* cb = m_session.callbacks;
    if (cb && cb->onStep) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        StepEvent e;
        e.epoch = m_epoch;
        e.step = p.step;
        e.stepsPerEpoch = m_stepsPerEpoch;
        e.loss = loss;
        e.learningRate = p.lr;
        e.imagesPerSecond = seconds > 0 ? double(p.images) / seconds : 0;
        cb->onStep(e);
    }
}

EpochStats TrainStepper::endEpoch(bool cancelled)
{
    flush();
    EpochStats s;
    s.loss = m_validSum > 0 ? m_lossSum / m_validSum : std::numeric_limits<double>::quiet_NaN();
    s.images = m_images;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    s.learningRate = m_lastLr;
    s.cancelled = cancelled;
    return s;
}

Evaluation evaluate(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& mask,
                    const LossOptions& loss)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor x = logits.to(torch::kCPU, torch::kFloat).contiguous();
    const torch::Tensor y = labels.to(torch::kCPU, torch::kFloat).contiguous();
    const torch::Tensor m = mask.to(torch::kCPU, torch::kFloat).contiguous();
    const double valid = m.sum().item<double>();
    Evaluation e;
    e.loss = valid > 0 ? maskedBceLoss(x, y, m, valid, loss).item<double>()
                       : std::numeric_limits<double>::quiet_NaN();
    const torch::Tensor scores = torch::sigmoid(x);
    const float* s = scores.data_ptr<float>();
    const float* yl = y.data_ptr<float>();
    const float* ml = m.data_ptr<float>();
    for (std::int64_t i = 0; i < x.numel(); ++i) {
        if (ml[i] == 0) continue;
        e.labels.push_back(yl[i] > 0.5f ? 1 : 0);
        e.scores.push_back(s[i]);
    }
    e.auc = e.labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rocAuc(e.labels, e.scores);
    return e;
}

} // namespace rm
