#include "training/BatchLoader.h"

#include "util/Error.h"
#include "util/Random.h"

#include <algorithm>
#include <chrono>

namespace rm {

BatchLoader::BatchLoader(std::shared_ptr<const RecordSource> source, std::vector<std::size_t> indices,
                         BatchLoaderOptions options)
    : m_source(std::move(source)), m_options(std::move(options))
{
    if (!m_source) throw Error("batch loader: no record source");
    if (m_options.batchSize == 0) throw Error("batch loader: batch size must be at least 1");
    if (m_options.prefetch < 1) throw Error("batch loader: prefetch must be at least 1 batch");
    validate(m_options.view);
    if (m_source->channels() != 1 && m_source->channels() != 3)
        throw Error("batch loader: records must have 1 or 3 channels");
    m_indices.reserve(indices.size());
    for (std::size_t i : indices) {
        if (i >= m_source->size())
            throw Error("batch loader: record index " + std::to_string(i) + " out of range (" +
                        std::to_string(m_source->size()) + " records)");
        (m_source->available(i) ? m_indices : m_excluded).push_back(i);
    }
    int threads =
        m_options.threads > 0 ? m_options.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(1, threads);
    for (int t = 0; t < threads; ++t)
        m_threads.emplace_back(&BatchLoader::workerLoop, this);
}

BatchLoader::~BatchLoader()
{
    stop();
}

std::size_t BatchLoader::batchesPerEpoch() const
{
    const std::size_t n = m_indices.size(), b = m_options.batchSize;
    return m_options.dropLast ? n / b : (n + b - 1) / b;
}

std::size_t BatchLoader::samplesPerEpoch() const
{
    const std::size_t n = m_indices.size();
    return m_options.dropLast ? n - n % m_options.batchSize : n;
}

std::shared_ptr<const BatchLoader::EpochPlan> BatchLoader::makePlan(std::uint64_t epoch) const
{
    auto plan = std::make_shared<EpochPlan>();
    plan->epoch = epoch;
    plan->order = m_indices;
    if (m_options.shuffle)
        DeterministicRandom(mixSeed(m_options.seed, epoch, ~std::uint64_t(0))).shuffle(plan->order);
    plan->batches = batchesPerEpoch();
    return plan;
}

void BatchLoader::recycleStage(Stage& stage)
{
    for (auto& [n, batch] : stage.ready)
        m_free.push_back(std::move(batch));
    stage = Stage{};
}

void BatchLoader::startEpoch(std::uint64_t epoch)
{
    bool prefetched = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_stopping) throw Error("batch loader: startEpoch after stop()");
        prefetched = m_upcoming.plan && m_upcoming.plan->epoch == epoch;
    }
    // Plans are made outside the lock (shuffling a large index list takes a while); only this thread changes
    // the stages, so nothing moves in between.
    auto fresh = prefetched ? nullptr : makePlan(epoch);
    auto following = m_options.prefetchNextEpoch ? makePlan(epoch + 1) : nullptr;
    std::lock_guard<std::mutex> lock(m_mutex);
    recycleStage(m_current);
    if (prefetched) {
        m_current = std::move(m_upcoming);
        m_upcoming = Stage{};
    } else {
        recycleStage(m_upcoming);
        m_current.plan = std::move(fresh);
    }
    m_upcoming.plan = std::move(following);
    m_delivered = 0;
    m_fatal = nullptr; // a new epoch gets a fresh try
    m_workCv.notify_all();
}

std::optional<Batch> BatchLoader::next()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (!m_current.plan && !m_stopping) throw Error("batch loader: call startEpoch() before next()");
    if (m_stopping || m_delivered >= m_current.plan->batches) return std::nullopt;
    auto ready = [&] { return m_stopping || m_fatal || m_current.ready.count(m_delivered) > 0; };
    if (!ready()) {
        const auto t0 = std::chrono::steady_clock::now();
        m_readyCv.wait(lock, ready);
        m_waitSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    if (m_fatal) std::rethrow_exception(m_fatal);
    if (m_stopping) return std::nullopt;
    auto it = m_current.ready.find(m_delivered);
    Batch batch = std::move(it->second);
    m_current.ready.erase(it);
    ++m_delivered;
    m_workCv.notify_all(); // a prefetch slot is free
    return batch;
}

void BatchLoader::recycle(Batch&& batch)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_free.size() < static_cast<std::size_t>(m_options.prefetch) + m_threads.size())
        m_free.push_back(std::move(batch));
}

void BatchLoader::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_stopping && m_threads.empty()) return;
        m_stopping = true;
    }
    m_workCv.notify_all();
    m_readyCv.notify_all();
    for (auto& t : m_threads)
        if (t.joinable()) t.join();
    m_threads.clear();
}

double BatchLoader::waitSeconds() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_waitSeconds;
}

std::size_t BatchLoader::readyAhead() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_current.ready.size() + m_upcoming.ready.size();
}

BatchLoader::Stage* BatchLoader::claimableStage()
{
    if (!m_current.plan || m_fatal) return nullptr;
    const std::size_t prefetch = static_cast<std::size_t>(m_options.prefetch);
    if (m_current.nextClaim < m_current.plan->batches)
        return m_current.nextClaim < m_delivered + prefetch ? &m_current : nullptr;
    // This epoch is all claimed: the budget left over goes to the next one.
    const std::size_t outstanding = m_current.plan->batches - m_delivered;
    if (m_upcoming.plan && m_upcoming.nextClaim < m_upcoming.plan->batches &&
        outstanding + m_upcoming.nextClaim < prefetch)
        return &m_upcoming;
    return nullptr;
}

bool BatchLoader::isLive(const EpochPlan* plan) const
{
    return !m_stopping && (plan == m_current.plan.get() || plan == m_upcoming.plan.get());
}

void BatchLoader::workerLoop()
{
    Image scratch;
    for (;;) {
        std::shared_ptr<const EpochPlan> plan;
        std::size_t number = 0;
        Batch batch;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            Stage* stage = nullptr;
            m_workCv.wait(lock, [&] { return m_stopping || (stage = claimableStage()) != nullptr; });
            if (m_stopping) return;
            plan = stage->plan;
            number = stage->nextClaim++;
            if (!m_free.empty()) {
                batch = std::move(m_free.back());
                m_free.pop_back();
            }
        }
        try {
            build(plan, number, batch, scratch);
        } catch (...) {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_fatal && plan == m_current.plan) m_fatal = std::current_exception();
            // A speculative epoch that failed is dropped; startEpoch plans it afresh and reports the error
            // then.
            if (plan == m_upcoming.plan) recycleStage(m_upcoming);
            m_readyCv.notify_all();
            continue;
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_stopping && plan == m_current.plan) {
            m_current.ready.emplace(number, std::move(batch));
            m_readyCv.notify_all();
        } else if (!m_stopping && plan == m_upcoming.plan) {
            m_upcoming.ready.emplace(number, std::move(batch));
        } else {
            m_free.push_back(std::move(batch)); // built for an abandoned epoch
        }
    }
}

void BatchLoader::build(const std::shared_ptr<const EpochPlan>& planPtr, std::size_t number, Batch& batch,
                        Image& scratch)
{
    const EpochPlan& plan = *planPtr;
    const ViewParams& view = m_options.view;
    const std::size_t first = number * m_options.batchSize;
    const std::size_t n = std::min(m_options.batchSize, plan.order.size() - first);
    batch.epoch = plan.epoch;
    batch.number = number;
    batch.size = static_cast<int>(n);
    batch.channels = view.channels;
    batch.height = view.height;
    batch.width = view.width;
    batch.data.resize(n * batch.sampleFloats());
    batch.indices.assign(plan.order.begin() + first, plan.order.begin() + first + n);
    batch.valid.assign(n, 1);
    batch.errors.assign(n, std::string());
    for (std::size_t i = 0; i < n; ++i) {
        // Give up early on an epoch that was abandoned or a loader that is stopping.
        if ((i & 7) == 0) {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!isLive(&plan)) return;
        }
        const std::size_t record = batch.indices[i];
        float* dst = batch.sample(static_cast<int>(i));
        ImageView src;
        try {
            src = m_source->fetch(record, scratch);
        } catch (const std::exception& e) {
            batch.valid[i] = 0;
            batch.errors[i] = e.what();
            std::fill(dst, dst + batch.sampleFloats(), 0.0f);
            continue;
        }
        renderView(src, view, m_options.viewSeed.value_or(m_options.seed), plan.epoch, record, dst);
    }
}

} // namespace rm
