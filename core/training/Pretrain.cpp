#include "training/Pretrain.h"

#include "cache/DecodedCache.h"
#include "cache/DecodedCacheBuilder.h"
#include "models/Encoder.h"
#include "models/ModelRegistry.h"
#include "models/WeightsIO.h"
#include "sources/CutoutImageSource.h"
#include "sources/ImageSource.h"
#include "store/ProjectStore.h"
#include "training/BatchLoader.h"
#include "training/Device.h"
#include "training/LrSchedule.h"
#include "training/OptimizerStateKey.h"
#include "training/PretrainLoss.h"
#include "training/TensorFile.h"
#include "util/Error.h"
#include "util/Random.h"
#include "util/Sha256.h"

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/normalization.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adamw.h>
#include <torch/utils.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>
#include <thread>
#include <type_traits>

namespace rm {

namespace fs = std::filesystem;

// --- loss ------------------------------------------------------------------------------------------------

torch::Tensor ntXentLoss(const torch::Tensor& z1, const torch::Tensor& z2, double temperature)
{
    if (z1.dim() != 2 || z1.sizes() != z2.sizes())
        throw Error("NT-Xent: the two views' projections must be [N, D] of the same shape");
    const std::int64_t n = z1.size(0);
    if (n < 2) throw Error("NT-Xent: needs at least 2 images per batch");
    if (!(temperature > 0)) throw Error("NT-Xent: temperature must be positive");
    namespace F = torch::nn::functional;
    const torch::Tensor z = F::normalize(torch::cat({z1, z2}, 0), F::NormalizeFuncOptions().dim(1));
    torch::Tensor logits = torch::matmul(z, z.t()) / temperature;
    // A view is never its own candidate.
    const torch::Tensor self =
        torch::eye(2 * n, torch::TensorOptions().dtype(torch::kBool).device(z.device()));
    logits = logits.masked_fill(self, -std::numeric_limits<float>::infinity());
    const torch::Tensor half =
        torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(z.device()));
    const torch::Tensor targets = torch::cat({half + n, half});
    return F::cross_entropy(logits, targets);
}

// --- configuration ---------------------------------------------------------------------------------------

AugmentParams pretrainAugmentation(bool photometric)
{
    return photometric ? strongAugmentation(AugmentParams{}) : AugmentParams{};
}

nlohmann::json toJson(const PretrainConfig& c)
{
    const AugmentParams& a = c.augmentation;
    return {{"method", "simclr"},
            {"arch", c.arch},
            {"in_chans", c.inChannels},
            {"image_size", c.imageSize},
            {"epochs", c.epochs},
            {"batch_size", c.batchSize},
            {"learning_rate", c.learningRate},
            {"min_learning_rate", c.minLearningRate},
            {"weight_decay", c.weightDecay},
            {"warmup_epochs", c.warmupEpochs},
            {"temperature", c.temperature},
            {"projection_dim", c.projectionDim},
            {"hidden_dim", c.hiddenDim},
            {"seed", std::to_string(c.seed)},
            {"max_steps_per_epoch", c.maxStepsPerEpoch},
            {"augmentation",
             {{"rotate", a.rotate},
              {"flip_horizontal", a.flipHorizontal},
              {"flip_vertical", a.flipVertical},
              {"crop_scale", {a.cropScaleMin, a.cropScaleMax}},
              {"crop_ratio", {a.cropRatioMin, a.cropRatioMax}},
              {"color_jitter", {a.brightness, a.contrast, a.saturation}},
              {"jitter_p", a.jitterProbability},
              {"grayscale_p", a.grayscaleProbability},
              {"blur_p", a.blurProbability},
              {"blur_sigma", {a.blurSigmaMin, a.blurSigmaMax}}}}};
}

void validate(const PretrainConfig& c)
{
    if (!isRegisteredModel(c.arch)) createEncoder(c.arch, EncoderOptions{}); // throws, listing the names
    if (c.inChannels != 1 && c.inChannels != 3) throw Error("pretraining: in_chans must be 1 or 3");
    if (c.imageSize < kMinImageSide || c.imageSize > kMaxImageSide)
        throw Error("pretraining: image size must be " + std::to_string(kMinImageSide) + ".." +
                    std::to_string(kMaxImageSide) + " px");
    if (c.epochs < 1) throw Error("pretraining: epochs must be at least 1");
    if (c.batchSize < 2)
        throw Error("pretraining: the batch must hold at least 2 images (NT-Xent contrasts "
                    "each image with the others of its batch)");
    if (!(c.learningRate > 0) || !(c.minLearningRate >= 0))
        throw Error("pretraining: the learning rate must be positive");
    if (!(c.weightDecay >= 0)) throw Error("pretraining: weight decay must not be negative");
    if (c.warmupEpochs < 0) throw Error("pretraining: warm-up epochs must not be negative");
    if (!(c.temperature > 0) || !std::isfinite(c.temperature))
        throw Error("pretraining: the temperature must be positive");
    if (c.projectionDim < 1 || c.hiddenDim < 1) throw Error("pretraining: projection sizes must be positive");
    if (c.maxStepsPerEpoch < 0) throw Error("pretraining: max steps per epoch must not be negative");
    ViewParams view;
    view.width = view.height = c.imageSize;
    view.channels = c.inChannels;
    view.augment = true;
    view.augmentation = c.augmentation;
    validate(view);
}

// --- images ----------------------------------------------------------------------------------------------

namespace {

bool isImageFile(const fs::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

} // namespace

PretrainImages preparePretrainImages(ProjectStore& store, const std::vector<PretrainSource>& sources,
                                     const ImageShape& shape, const PretrainImagesOptions& options)
{
    if (sources.empty()) throw Error("pretraining: no image source (give a catalog or a folder)");
    registerCutoutImageSources();
    ImageSourceContext ctx;
    ctx.baseDir = fs::absolute(store.path()).parent_path().string();
    ctx.cacheDir = fs::absolute(store.path()).string() + ".files/cutouts";

    // Loaders and tables outlive the cache build.
    struct CatalogImages
    {
        std::unique_ptr<ImageSource> source;
        std::vector<GalaxyRef> galaxies;
    };
    std::vector<std::unique_ptr<CatalogImages>> catalogs;
    std::vector<CacheItem> items;
    PretrainImages out;
    std::vector<std::size_t> firstItem;
    for (const PretrainSource& s : sources) {
        firstItem.push_back(items.size());
        PretrainImages::Counted counted;
        counted.name = s.name;
        if (s.kind == PretrainSource::Catalog) {
            counted.kind = "catalog";
            const CatalogInfo info = store.catalog(s.name);
            const auto spec = store.imageSourceSpec(info.id);
            if (!spec)
                throw Error("catalog '" + info.name +
                            "' has no image source; set one with: ringminer-cli cutouts source " +
                            store.path() + " " + info.name + " --folder DIR --template '{file}'");
            auto ci = std::make_unique<CatalogImages>();
            ci->source = makeImageSource(*spec, ctx);
            const Table table = store.loadTable(info.id);
            ci->galaxies.reserve(table.rowCount());
            for (std::size_t r = 0; r < table.rowCount(); ++r)
                ci->galaxies.push_back(GalaxyRef::fromTable(table, r, info.id));
            for (std::size_t r = 0; r < ci->galaxies.size(); ++r)
                items.push_back({"catalog:" + info.name + ":" + std::to_string(r),
                                 {},
                                 [src = ci->source.get(), g = &ci->galaxies[r]] { return src->load(*g); }});
            counted.images = ci->galaxies.size();
            catalogs.push_back(std::move(ci));
        } else {
            counted.kind = "folder";
            std::error_code ec;
            const fs::path dir = fs::weakly_canonical(fs::absolute(s.name), ec);
            if (ec || !fs::is_directory(dir)) throw Error("pretraining: '" + s.name + "' is not a folder");
            std::vector<fs::path> files;
            for (const auto& entry : fs::directory_iterator(dir))
                if (entry.is_regular_file() && isImageFile(entry.path())) files.push_back(entry.path());
            std::sort(files.begin(), files.end());
            if (files.empty())
                throw Error("pretraining: folder '" + s.name + "' has no .jpg/.jpeg/.png file");
            for (const auto& f : files)
                items.push_back({"folder:" + f.string(), f.string(), {}});
            counted.images = files.size();
            counted.name = dir.string();
        }
        if (counted.images == 0)
            throw Error("pretraining: " + counted.kind + " '" + s.name + "' has no images");
        out.sources.push_back(counted);
    }
    firstItem.push_back(items.size());

    PrepareParams prepare;
    static_cast<ImageShape&>(prepare) = shape;
    std::string keys;
    for (const CacheItem& item : items)
        keys += item.key + "\n";
    const std::string digest = sha256Hex(keys + shape.text()).substr(0, 16);
    const fs::path dir = fs::absolute(fs::path(store.filesDir()) / "caches");
    fs::create_directories(dir);
    out.cachePath = (dir / ("pretrain_" + digest + "_" + shape.text() + ".rmcache")).string();

    std::shared_ptr<DecodedCache> cache;
    if (fs::exists(out.cachePath)) {
        try {
            cache = DecodedCache::open(out.cachePath);
            bool same = cache->size() == items.size() && cache->width() == shape.width &&
                        cache->height() == shape.height && cache->channels() == shape.channels;
            for (std::size_t i = 0; same && i < items.size(); ++i)
                same = cache->key(i) == items[i].key;
            if (!same) cache.reset();
        } catch (const std::exception&) {
            cache.reset();
        }
    }
    if (!cache) {
        if (options.log)
            options.log("decoding " + std::to_string(items.size()) + " images into " + out.cachePath);
        CacheBuildOptions o;
        o.prepare = prepare;
        o.threads = options.threads;
        o.progress = options.progress;
        o.extra = {{"pretraining", true}, {"project", fs::absolute(store.path()).string()}};
        buildDecodedCache(out.cachePath, items, o);
        cache = DecodedCache::open(out.cachePath);
        out.cacheBuilt = true;
    }
    for (std::size_t s = 0; s < out.sources.size(); ++s)
        for (std::size_t i = firstItem[s]; i < firstItem[s + 1]; ++i)
            if (cache->available(i)) {
                ++out.sources[s].usable;
                out.records.push_back(i);
            }
    if (out.records.size() < 2)
        throw Error("pretraining: only " + std::to_string(out.records.size()) + " of " +
                    std::to_string(items.size()) + " images could be decoded; at least 2 are needed");
    out.source = cache;
    return out;
}

// --- training --------------------------------------------------------------------------------------------

namespace {

constexpr int kPretrainCheckpointVersion = 1;
const char* const kPretrainMetaKey = "ringminer.pretrain_checkpoint";

// The encoder and the projection head as one module, so parameters are named "encoder.*" / "projector.*".
struct SimClrNet : torch::nn::Module
{
    SimClrNet(std::shared_ptr<Encoder> e, int hidden, int out)
    {
        encoder = register_module("encoder", std::move(e));
        projector = register_module("projector",
                                    torch::nn::Sequential(torch::nn::Linear(encoder->numFeatures(), hidden),
                                                          torch::nn::BatchNorm1d(hidden), torch::nn::ReLU(),
                                                          torch::nn::Linear(hidden, out)));
    }
    torch::Tensor forward(const torch::Tensor& x) { return projector->forward(encoder->features(x)); }

    std::shared_ptr<Encoder> encoder;
    torch::nn::Sequential projector{nullptr};
};

nlohmann::json historyJson(const std::vector<PretrainEpoch>& history)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto& e : history)
        a.push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"lr", e.learningRate}, {"seconds", e.seconds}});
    return a;
}

void saveState(const std::string& path, SimClrNet& net, torch::optim::AdamW& optimizer,
               const std::vector<PretrainEpoch>& history, const nlohmann::json& fingerprint)
{
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& [key, t] : stateDict(net))
        tensors.emplace("model." + key, t);
    auto& states = optimizer.state();
    for (const auto& item : net.named_parameters()) {
        auto it = states.find(optimizerStateKey(optimizer, item.value()));
        if (it == states.end()) continue;
        const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
        const std::string base = "adamw." + item.key() + ".";
        tensors.emplace(base + "exp_avg", s.exp_avg());
        tensors.emplace(base + "exp_avg_sq", s.exp_avg_sq());
        tensors.emplace(base + "step", torch::full({1}, static_cast<std::int64_t>(s.step()), torch::kLong));
    }
    const nlohmann::json meta = {{"version", kPretrainCheckpointVersion},
                                 {"fingerprint", fingerprint},
                                 {"history", historyJson(history)}};
    writeTensorFile(path, tensors, {{kPretrainMetaKey, meta.dump()}, {kMetaArch, net.encoder->arch()}});
}

std::vector<PretrainEpoch> restoreState(const std::string& path, SimClrNet& net,
                                        torch::optim::AdamW& optimizer, const nlohmann::json& fingerprint)
{
    const auto contents = readTensorFile(path);
    auto m = contents.metadata.find(kPretrainMetaKey);
    if (m == contents.metadata.end())
        throw InputError(path, 0, "",
                         "is not a pretraining checkpoint (no " + std::string(kPretrainMetaKey) +
                             " metadata)");
    nlohmann::json meta;
    try {
        meta = nlohmann::json::parse(m->second);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "", std::string("has unreadable checkpoint metadata: ") + e.what());
    }
    if (meta.value("version", 0) != kPretrainCheckpointVersion)
        throw InputError(path, 0, "", "is a pretraining checkpoint of another format version");
    if (meta.value("fingerprint", nlohmann::json()) != fingerprint) {
        std::string what = "different settings or images";
        const nlohmann::json& stored = meta["fingerprint"];
        for (const auto& [key, value] : fingerprint.items())
            if (!stored.contains(key) || stored.at(key) != value) {
                what = "'" + key + "' is " + (stored.contains(key) ? stored.at(key).dump() : "absent") +
                       " there and " + value.dump() + " now";
                break;
            }
        throw Error("'" + path + "' is a checkpoint of another pretraining (" + what +
                    "); delete it or choose another --out");
    }
    const auto& file = contents.tensors;
    auto stored = [&](const std::string& name) -> const torch::Tensor& {
        auto it = file.find(name);
        if (it == file.end()) throw InputError(path, 0, "", "checkpoint lacks tensor '" + name + "'");
        return it->second;
    };
    torch::NoGradGuard noGrad;
    for (auto& [key, tensor] : stateDict(net)) {
        const torch::Tensor& from = stored("model." + key);
        if (from.sizes() != tensor.sizes())
            throw InputError(path, 0, "", "checkpoint tensor 'model." + key + "' does not fit the model");
        tensor.copy_(from);
    }
    auto& states = optimizer.state();
    states.clear();
    for (const auto& item : net.named_parameters()) {
        const std::string base = "adamw." + item.key() + ".";
        if (file.find(base + "step") == file.end()) continue;
        const torch::Tensor& p = item.value();
        auto s = std::make_unique<torch::optim::AdamWParamState>();
        s->step(stored(base + "step").item<std::int64_t>());
        s->exp_avg(torch::empty_like(p).copy_(stored(base + "exp_avg")));
        s->exp_avg_sq(torch::empty_like(p).copy_(stored(base + "exp_avg_sq")));
        states[optimizerStateKey(optimizer, p)] = std::move(s);
    }
    std::vector<PretrainEpoch> history;
    try {
        for (const auto& e : meta.value("history", nlohmann::json::array()))
            history.push_back({e.at("epoch").get<int>(), e.at("loss").get<double>(), e.at("lr").get<double>(),
                               e.at("seconds").get<double>()});
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "", std::string("has an unreadable epoch history: ") + e.what());
    }
    return history;
}

std::uint64_t hashRecords(const RecordSource& source, const std::vector<std::size_t>& records)
{
    std::string keys;
    for (std::size_t i : records)
        keys += std::to_string(i) + "=" + source.key(i) + "\n";
    return std::stoull(sha256Hex(keys).substr(0, 15), nullptr, 16);
}

double since(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

std::string pretrainCheckpointPath(const std::string& encoderPath)
{
    fs::path p(encoderPath);
    if (p.extension() == ".safetensors") p.replace_extension();
    return p.string() + ".checkpoint.safetensors";
}

PretrainResult runPretraining(const PretrainConfig& config, std::shared_ptr<const RecordSource> source,
                              const std::vector<std::size_t>& records, const std::string& encoderPath,
                              const nlohmann::json& provenance, const PretrainCallbacks& callbacks)
{
    validate(config);
    if (!source) throw Error("pretraining: no images");
    if (records.size() < 2) throw Error("pretraining: needs at least 2 images");
    if (encoderPath.empty()) throw Error("pretraining: no output file");
    const auto start = std::chrono::steady_clock::now();
    auto log = [&](const std::string& m) {
        if (callbacks.log) callbacks.log(m);
    };
    torch::AutoGradMode gradMode(true);
    const int threads =
        config.torchThreads > 0 ? config.torchThreads : std::max(1, int(std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    const torch::Device device = resolveDevice(config.device);

    PretrainResult result;
    result.device = deviceLabel(device);
    result.images = records.size();
    result.encoderPath = encoderPath;
    result.checkpointPath = pretrainCheckpointPath(encoderPath);
    if (!fs::path(encoderPath).parent_path().empty())
        fs::create_directories(fs::path(encoderPath).parent_path());

    nlohmann::json fingerprint = toJson(config);
    fingerprint["data"] = {{"images", records.size()},
                           {"hash", std::to_string(hashRecords(*source, records))},
                           {"shape", std::to_string(source->width()) + "x" +
                                         std::to_string(source->height()) + "x" +
                                         std::to_string(source->channels())}};

    torch::manual_seed(config.seed);
    EncoderOptions eo;
    eo.inChannels = config.inChannels;
    auto net =
        std::make_shared<SimClrNet>(createEncoder(config.arch, eo), config.hiddenDim, config.projectionDim);
    net->to(device);
    auto optimizer = std::make_unique<torch::optim::AdamW>(
        net->parameters(), torch::optim::AdamWOptions(config.learningRate).weight_decay(config.weightDecay));

    std::vector<PretrainEpoch> history;
    if (fs::exists(result.checkpointPath)) {
        history = restoreState(result.checkpointPath, *net, *optimizer, fingerprint);
        result.resumedAfter = static_cast<int>(history.size());
        log("resumed after epoch " + std::to_string(history.size()) + " from " + result.checkpointPath);
    }

    const std::size_t batch = static_cast<std::size_t>(config.batchSize);
    // Full batches only (a last batch of 1 has no negatives), unless the images do not fill one.
    const std::size_t fullBatches = records.size() / batch;
    int steps = fullBatches > 0 ? int(fullBatches) : 1;
    if (config.maxStepsPerEpoch > 0) steps = std::min(steps, config.maxStepsPerEpoch);
    const LrSchedule schedule(config.learningRate, config.minLearningRate, long(config.warmupEpochs) * steps,
                              long(config.epochs) * steps);

    ViewParams view;
    view.width = view.height = config.imageSize;
    view.channels = config.inChannels;
    view.augment = true;
    view.augmentation = config.augmentation;

    if (int(history.size()) < config.epochs)
        log("pretraining " + config.arch + " (SimCLR, temperature " + std::to_string(config.temperature) +
            ") on " + std::to_string(records.size()) + " images, " + std::to_string(steps) + " steps of " +
            std::to_string(std::min(batch, records.size())) + " per epoch, on " + result.device);
    while (int(history.size()) < config.epochs) {
        const int epoch = static_cast<int>(history.size());
        const auto epochStart = std::chrono::steady_clock::now();
        torch::manual_seed(mixSeed(config.seed, static_cast<std::uint64_t>(epoch), 0x5eedull));
        net->train(true);
        // This epoch's order, then two loaders over it whose only difference is the augmentation seed.
        std::vector<std::size_t> order = records;
        DeterministicRandom(mixSeed(config.seed, static_cast<std::uint64_t>(epoch), ~std::uint64_t(0)))
            .shuffle(order);
        order.resize(std::min(order.size(), std::size_t(steps) * batch));
        BatchLoaderOptions lo;
        lo.batchSize = batch;
        lo.view = view;
        lo.shuffle = false;
        lo.threads = config.loaderThreads;
        lo.prefetchNextEpoch = false;
        lo.seed = mixSeed(config.seed, 1, 0);
        BatchLoader first(source, order, lo);
        lo.seed = mixSeed(config.seed, 2, 0);
        BatchLoader second(source, order, lo);
        first.startEpoch(static_cast<std::uint64_t>(epoch));
        second.startEpoch(static_cast<std::uint64_t>(epoch));
        double lossSum = 0;
        int lossCount = 0;
        double lr = 0;
        std::int64_t imagesDone = 0;
        for (int s = 0; s < steps; ++s) {
            if (callbacks.cancelled && callbacks.cancelled()) {
                result.cancelled = true;
                break;
            }
            std::optional<Batch> a = first.next();
            std::optional<Batch> b = second.next();
            if (!a || !b) break;
            if (a->size < 2) continue;
            lr = schedule.at(long(epoch) * steps + s);
            for (auto& g : optimizer->param_groups())
                static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
            const torch::Tensor x1 =
                uploadImages(a->data.data(), a->size, a->channels, a->height, a->width, device, false);
            const torch::Tensor x2 =
                uploadImages(b->data.data(), b->size, b->channels, b->height, b->width, device, false);
            optimizer->zero_grad();
            const torch::Tensor z = net->forward(torch::cat({x1, x2}, 0));
            const torch::Tensor loss =
                ntXentLoss(z.narrow(0, 0, a->size), z.narrow(0, a->size, a->size), config.temperature);
            loss.backward();
            optimizer->step();
            const double value = loss.item<double>();
            lossSum += value;
            ++lossCount;
            imagesDone += a->size;
            if (callbacks.onStep) {
                const double sec = since(epochStart);
                callbacks.onStep({epoch, s, steps, value, sec > 0 ? imagesDone / sec : 0});
            }
            first.recycle(std::move(*a));
            second.recycle(std::move(*b));
        }
        if (result.cancelled) break;
        PretrainEpoch e;
        e.epoch = epoch;
        e.loss = lossCount > 0 ? lossSum / lossCount : std::numeric_limits<double>::quiet_NaN();
        e.learningRate = lr;
        e.seconds = since(epochStart);
        history.push_back(e);
        saveState(result.checkpointPath, *net, *optimizer, history, fingerprint);
        if (callbacks.onEpoch) callbacks.onEpoch(e);
    }
    result.history = history;
    result.epochsDone = static_cast<int>(history.size());
    result.alreadyFinished = result.resumedAfter >= config.epochs;
    result.finalLoss = history.empty() ? 0 : history.back().loss;
    for (const auto& e : history)
        result.totalSeconds += e.seconds;
    if (!result.cancelled) {
        std::map<std::string, torch::Tensor> tensors;
        for (const auto& [key, t] : stateDict(*net->encoder))
            tensors.emplace(key, t);
        nlohmann::json made = provenance.is_object() ? provenance : nlohmann::json::object();
        made["config"] = toJson(config);
        made["images"] = records.size();
        made["history"] = historyJson(history);
        writeTensorFile(encoderPath, tensors,
                        {{kMetaArch, config.arch},
                         {kMetaInChannels, std::to_string(config.inChannels)},
                         {"ringminer.pretrain", made.dump()}});
    }
    result.seconds = since(start);
    return result;
}

std::string defaultPretrainName(const PretrainConfig& c)
{
    const AugmentParams& a = c.augmentation;
    const bool photometric = a.brightness > 0 || a.contrast > 0 || a.saturation > 0 ||
                             a.blurProbability > 0 || a.grayscaleProbability > 0;
    return "ssl_" + c.arch + "_c" + std::to_string(c.inChannels) + "_" + std::to_string(c.imageSize) +
           "px_s" + std::to_string(c.seed) + (photometric ? "" : "_geometric");
}

PretrainOutcome pretrainForProject(ProjectStore& store, const PretrainRequest& request,
                                   const PretrainImagesOptions& imageOptions,
                                   const PretrainCallbacks& callbacks)
{
    validate(request.config);
    store.requireWritable("pretraining");
    const PretrainConfig& config = request.config;
    const std::string name = request.name.empty() ? defaultPretrainName(config) : request.name;
    std::string safe;
    for (char ch : name)
        safe +=
            (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_') ? ch : '_';
    const std::string out =
        request.out.empty() ? (fs::path(store.filesDir()) / "pretrained" / (safe + ".safetensors")).string()
                            : request.out;
    PretrainOutcome o;
    ImageShape shape;
    shape.width = shape.height = config.imageSize;
    shape.channels = config.inChannels;
    o.images = preparePretrainImages(store, request.sources, shape, imageOptions);
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& s : o.images.sources)
        sources.push_back({{"kind", s.kind}, {"name", s.name}, {"images", s.images}, {"usable", s.usable}});
    const nlohmann::json provenance = {
        {"name", name}, {"sources", sources}, {"project", fs::absolute(store.path()).string()}};
    o.result = runPretraining(config, o.images.source, o.images.records, out, provenance, callbacks);
    if (o.result.cancelled) return o;
    o.record = {{"name", name},
                {"path", fs::absolute(out).string()},
                {"arch", config.arch},
                {"in_chans", config.inChannels},
                {"image_size", config.imageSize},
                {"method", "simclr"},
                {"sources", sources},
                {"images", o.images.records.size()},
                {"epochs", config.epochs},
                {"batch_size", config.batchSize},
                {"learning_rate", config.learningRate},
                {"temperature", config.temperature},
                {"seed", config.seed},
                {"loss", o.result.finalLoss},
                {"seconds", o.result.totalSeconds},
                {"device", o.result.device},
                {"created", nowIso8601()}};
    recordPretrainedEncoder(store, o.record);
    return o;
}

// --- records in the project ------------------------------------------------------------------------------

namespace {
const char* const kRecordsKey = "pretrained_encoders";
}

std::vector<PretrainedEncoderRecord> pretrainedEncoders(ProjectStore& store)
{
    std::vector<PretrainedEncoderRecord> out;
    const auto text = store.meta(kRecordsKey);
    if (!text) return out;
    nlohmann::json list;
    try {
        list = nlohmann::json::parse(*text);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(store.path(), 0, kRecordsKey,
                         std::string("unreadable list of pretrained encoders: ") + e.what());
    }
    if (!list.is_array()) return out;
    for (const auto& j : list) {
        if (!j.is_object()) continue;
        PretrainedEncoderRecord r;
        r.name = j.value("name", "");
        r.path = j.value("path", "");
        r.arch = j.value("arch", "");
        r.inChannels = j.value("in_chans", 3);
        r.imageSize = j.value("image_size", 0);
        r.epochs = j.value("epochs", 0);
        r.loss = j.value("loss", 0.0);
        r.images = j.value("images", std::size_t(0));
        r.json = j;
        out.push_back(std::move(r));
    }
    return out;
}

void recordPretrainedEncoder(ProjectStore& store, const nlohmann::json& record)
{
    if (!record.is_object() || !record.contains("path"))
        throw Error("a pretrained encoder record needs a path");
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : pretrainedEncoders(store))
        if (r.path != record.at("path").get<std::string>()) list.push_back(r.json);
    list.push_back(record);
    store.setMeta(kRecordsKey, list.dump());
}

} // namespace rm
