#include "training/TimeEstimate.h"

#include "models/FineTune.h"
#include "models/RingClassifier.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/Device.h"
#include "training/DeviceName.h"
#include "training/FeatureBaseline.h"
#include "util/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

namespace rm {

namespace {

double secondsSince(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The measurement a cell uses: cells that differ only in mode, learning rate or target set run the same
// network at the same size, so they share one.
std::string speedKeyOf(const TrainConfig& c, const std::string& device)
{
    return c.model.arch + " c" + std::to_string(c.model.inChannels) + " " + std::to_string(c.view.width) +
           "x" + std::to_string(c.view.height) + " " + device;
}

bool selected(const std::vector<std::string>& patterns, const std::string& key)
{
    if (patterns.empty()) return true;
    for (const std::string& p : patterns)
        if (cellKeyMatches(p, key)) return true;
    return false;
}

} // namespace

ModelSpeed measureModelSpeed(const TrainConfig& config, int sampleBatch, int timedSteps)
{
    ModelSpeed speed;
    if (isFeatureBaseline(config.model.arch)) {
        // No network: features of a decoded image and a logistic regression take about a millisecond.
        speed.trainSecondsPerImage = speed.inferSecondsPerImage = 1e-3;
        speed.device = "cpu";
        return speed;
    }
    torch::NoGradGuard outer; // grad mode is thread-local: set it explicitly either way below
    // As the trainer runs it: its thread count, else every hardware thread.
    if (config.torchThreads > 0) torch::set_num_threads(config.torchThreads);
    const torch::Device device = resolveDevice(config.device);
    speed.device = deviceLabel(device);
    const int batch = std::max(1, std::min(sampleBatch, config.batchSize));
    const int steps = std::max(1, timedSteps);
    auto model = createModel(config.model);
    setFineTuneMode(*model, FineTuneMode::AllLayers);
    model->to(device);
    const torch::Tensor x =
        torch::rand({batch, config.model.inChannels, config.view.height, config.view.width}).to(device);
    const torch::Tensor y = torch::randint(0, 2, {batch}).to(torch::kFloat).to(device);

    {
        torch::AutoGradMode grad(true);
        model->train();
        torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-4));
        auto step = [&] {
            optimizer.zero_grad();
            torch::Tensor loss = torch::binary_cross_entropy_with_logits(model->forward(x), y);
            loss.backward();
            optimizer.step();
            return loss.item<double>(); // waits for the device
        };
        step(); // warm-up: allocations, kernel selection
        // The fastest of the timed steps: other work on the machine only ever makes a step slower.
        double best = INFINITY;
        for (int i = 0; i < steps; ++i) {
            const auto t = std::chrono::steady_clock::now();
            step();
            best = std::min(best, secondsSince(t));
        }
        speed.trainSecondsPerImage = best / batch;
    }
    {
        torch::AutoGradMode grad(false);
        model->eval();
        auto forward = [&] { return model->forward(x).sum().item<double>(); };
        double best = INFINITY;
        for (int i = 0; i < steps; ++i) {
            const auto t = std::chrono::steady_clock::now();
            forward();
            best = std::min(best, secondsSince(t));
        }
        speed.inferSecondsPerImage = best / batch;
    }
    return speed;
}

std::map<std::string, SplitSizes> targetSetSizes(ProjectStore& store, const std::vector<std::string>& names)
{
    std::map<std::string, SplitSizes> out;
    for (const std::string& name : names) {
        if (!hasTargetSet(store, name)) continue;
        const TargetSetReport r = targetSetReport(store, name);
        out[name] = {r.counts[Train][0] + r.counts[Train][1], r.counts[Val][0] + r.counts[Val][1],
                     r.counts[Test][0] + r.counts[Test][1]};
    }
    return out;
}

double estimateCellSeconds(const TrainConfig& c, const SplitSizes& sizes, const ModelSpeed& speed)
{
    // One training run on `train` galaxies validated on `val`, then scored on `evaluated` galaxies.
    auto run = [&](double train, double val, double evaluated) {
        double trainImages = train;
        if (c.maxStepsPerEpoch > 0)
            trainImages = std::min(trainImages, double(c.maxStepsPerEpoch) * c.batchSize);
        double seconds = 0;
        const bool embedOnce = c.fineTune == FineTuneMode::HeadOnly && c.embeddingViews > 0;
        if (isFeatureBaseline(c.model.arch))
            seconds = (train + val) * speed.trainSecondsPerImage;
        else if (embedOnce) // the frozen encoder runs once per view, the head trains on cached features
            seconds = (c.embeddingViews * trainImages + val) * speed.inferSecondsPerImage;
        else {
            // A frozen encoder still runs forward every epoch; backward through the head alone is cheap.
            const double perImage = c.fineTune == FineTuneMode::HeadOnly ? speed.inferSecondsPerImage
                                                                         : speed.trainSecondsPerImage;
            seconds = c.epochs * (trainImages * perImage + val * speed.inferSecondsPerImage);
        }
        return seconds + evaluated * speed.inferSecondsPerImage;
    };
    const double n = double(sizes.total());
    double seconds = run(double(sizes.train), double(sizes.val), n);
    if (c.cvFolds >= 2) {
        const double k = c.cvFolds;
        const double inFold = n * (k - 1) / k; // 15% of it validates (CrossValidation.h)
        seconds += double(c.cvFolds) * std::max(1, c.cvRepeats) * run(inFold * 0.85, inFold * 0.15, n / k);
    }
    return seconds;
}

const CellTimeEstimate* MatrixTimeEstimate::cell(const std::string& key) const
{
    for (const CellTimeEstimate& c : cells)
        if (c.key == key) return &c;
    return nullptr;
}

MatrixTimeEstimate estimateMatrixTime(const ExperimentMatrix& matrix,
                                      const std::map<std::string, SplitSizes>& sizes,
                                      const TimeEstimateOptions& options)
{
    MatrixTimeEstimate out;
    const std::set<std::string> done(options.doneCells.begin(), options.doneCells.end());
    std::vector<MatrixCell> todo;
    std::map<std::string, TrainConfig> toMeasure; // speed key -> a config with that network
    for (MatrixCell cell : matrix.cells()) {
        if (!selected(options.onlyCells, cell.key)) continue;
        if (!options.device.empty()) cell.config.device = options.device;
        CellTimeEstimate e;
        e.key = cell.key;
        e.done = done.count(cell.key) > 0;
        if (!e.done) {
            const std::string device =
                isFeatureBaseline(cell.config.model.arch) ? "cpu" : describeDevice(cell.config.device);
            e.speedKey = speedKeyOf(cell.config, device);
            toMeasure.emplace(e.speedKey, cell.config);
            todo.push_back(cell);
        }
        out.cells.push_back(e);
    }
    const auto started = std::chrono::steady_clock::now();
    int measured = 0;
    for (const auto& [key, config] : toMeasure) {
        if (options.cancelled && options.cancelled()) throw Error("time estimate cancelled");
        if (options.progress) options.progress(measured, int(toMeasure.size()), key);
        out.speeds[key] = measureModelSpeed(config);
        ++measured;
    }
    if (options.progress) options.progress(measured, int(toMeasure.size()), "");
    out.measureSeconds = secondsSince(started);

    std::size_t next = 0;
    for (CellTimeEstimate& e : out.cells) {
        if (e.done) continue;
        const MatrixCell& cell = todo[next++];
        const ModelSpeed& speed = out.speeds.at(e.speedKey);
        const auto it = sizes.find(cell.targetSet);
        e.seconds = estimateCellSeconds(cell.config, it == sizes.end() ? SplitSizes{} : it->second, speed);
        out.totalSeconds += e.seconds;
        if (out.device.empty() || speed.device == "cpu") out.device = speed.device;
    }
    return out;
}

nlohmann::json cpuPreset()
{
    // 96 px keeps a ring's shape (rings span a good part of a 0.262"/px cutout) at a fifth of 224 px's
    // pixels; four epochs and two embedding views cut the rest. Measured: docs/benchmarks.md "Time estimate".
    return {{"image_size", 96}, {"epochs", 4}, {"embedding_views", 2}, {"patience", 2}};
}

ExperimentMatrix withCpuPreset(const ExperimentMatrix& matrix)
{
    ExperimentMatrix out = matrix;
    const nlohmann::json preset = cpuPreset();
    for (auto it = preset.begin(); it != preset.end(); ++it) {
        out.defaults[it.key()] = it.value();
        for (MatrixModel& m : out.models)
            m.extra.erase(it.key());
        for (auto o = out.overrides.begin(); o != out.overrides.end(); ++o)
            o.value().erase(it.key());
    }
    nlohmann::json kept = nlohmann::json::object();
    for (auto o = out.overrides.begin(); o != out.overrides.end(); ++o)
        if (!o.value().empty()) kept[o.key()] = o.value();
    out.overrides = kept;
    return out;
}

std::string formatEstimate(double seconds)
{
    char buf[64];
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    if (seconds < 60) {
        std::snprintf(buf, sizeof buf, "%.0f s", std::max(1.0, std::round(seconds)));
    } else if (seconds < 3600) {
        std::snprintf(buf, sizeof buf, "%.0f min", std::round(seconds / 60));
    } else if (seconds < 86400) {
        const long m = std::lround(seconds / 60);
        std::snprintf(buf, sizeof buf, "%ld h %02ld min", m / 60, m % 60);
    } else {
        const long h = std::lround(seconds / 3600);
        std::snprintf(buf, sizeof buf, "%ld d %ld h", h / 24, h % 24);
    }
    return buf;
}

QueueEta::QueueEta(MatrixTimeEstimate estimate) : m_estimate(std::move(estimate)) {}

void QueueEta::cellProgress(const std::string& key, double fraction, double secondsInCell)
{
    m_fraction[key] = std::clamp(fraction, 0.0, 1.0);
    m_elapsed[key] = secondsInCell;
    const CellTimeEstimate* e = m_estimate.cell(key);
    // Once a cell is a few percent in, its own rate says how optimistic the timed step was.
    if (e && e->seconds > 0 && fraction > 0.05 && secondsInCell > 0)
        m_observedOverEstimated = (secondsInCell / fraction) / e->seconds;
}

void QueueEta::cellFinished(const std::string& key)
{
    m_finished[key] = true;
}

double QueueEta::cellRemainingSeconds(const std::string& key) const
{
    if (m_finished.count(key)) return 0;
    const CellTimeEstimate* e = m_estimate.cell(key);
    const auto f = m_fraction.find(key);
    if (f != m_fraction.end() && f->second > 0.02) {
        const double elapsed = m_elapsed.at(key);
        return elapsed * (1 - f->second) / f->second;
    }
    if (!e || e->done) return std::nan("");
    const auto el = m_elapsed.find(key);
    return std::max(0.0, e->seconds * m_observedOverEstimated - (el == m_elapsed.end() ? 0 : el->second));
}

double QueueEta::queueRemainingSeconds() const
{
    double total = 0;
    for (const CellTimeEstimate& e : m_estimate.cells) {
        if (e.done) continue;
        const double r = cellRemainingSeconds(e.key);
        if (std::isfinite(r)) total += r;
    }
    return total;
}

} // namespace rm
