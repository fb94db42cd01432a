#include "training/EmbeddingCache.h"

#include "training/Device.h"
#include "training/ImageFeeder.h"
#include "training/TensorFile.h"
#include "util/Error.h"

#include <torch/autograd.h>

#include <filesystem>

namespace rm {

namespace {

constexpr const char* kMetaKey = "ringminer.embeddings";

std::uint64_t fnv1a(std::uint64_t h, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i) {
        h ^= (v >> (8 * i)) & 0xffu;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::uint64_t hashIndices(const std::vector<std::size_t>& indices)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t i : indices)
        h = fnv1a(h, i);
    return h;
}

nlohmann::json fileStamp(const std::string& path)
{
    if (path.empty()) return nullptr;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    const auto time = std::filesystem::last_write_time(path, ec);
    return {{"path", path},
            {"bytes", ec ? -1 : static_cast<std::int64_t>(size)},
            {"mtime", ec ? 0 : static_cast<std::int64_t>(time.time_since_epoch().count())}};
}

torch::Tensor recordTensor(const std::vector<std::size_t>& records)
{
    std::vector<std::int64_t> v(records.begin(), records.end());
    return torch::tensor(v, torch::kLong);
}

std::vector<std::size_t> recordsOf(const torch::Tensor& t)
{
    const torch::Tensor c = t.to(torch::kLong).contiguous();
    const auto* p = c.data_ptr<std::int64_t>();
    return std::vector<std::size_t>(p, p + c.numel());
}

} // namespace

nlohmann::json embeddingIdentity(const TrainConfig& c, const TrainData& data, int views)
{
    const ViewParams& v = c.view;
    const AugmentParams& a = v.augmentation;
    return {{"arch", c.model.arch},
            {"in_chans", c.model.inChannels},
            {"pretrained", fileStamp(c.pretrained)},
            {"seed", c.seed},
            {"views", views},
            {"view",
             {v.width, v.height, v.channels, v.evalCropFraction, v.augment, a.rotate, a.flipHorizontal,
              a.flipVertical, a.cropScaleMin, a.cropScaleMax, a.cropRatioMin, a.cropRatioMax,
              static_cast<int>(a.border), v.normalisation.mean, v.normalisation.std}},
            {"records", data.source ? data.source->size() : 0},
            {"train", {data.train.size(), hashIndices(data.train)}},
            {"val", {data.val.size(), hashIndices(data.val)}}};
}

std::optional<EmbeddingSet> computeEmbeddings(TrainSession& session, const TrainData& data,
                                              const std::vector<std::size_t>& indices, int views,
                                              bool augmented)
{
    torch::NoGradGuard noGrad;
    RingClassifier& model = *session.model;
    model.eval();
    BatchLoaderOptions options = loaderOptions(session.config, augmented);
    options.shuffle = false;
    BatchLoader loader(data.source, indices, options);
    const auto n = static_cast<std::int64_t>(loader.samplesPerEpoch());
    torch::Tensor features = torch::empty({views, n, model.numFeatures()},
                                          torch::TensorOptions().dtype(torch::kFloat).device(session.device));
    torch::Tensor valid = torch::zeros({views, n}, torch::kByte);
    auto validAt = valid.accessor<std::uint8_t, 2>();
    EmbeddingSet set;
    for (int view = 0; view < views; ++view) {
        loader.startEpoch(static_cast<std::uint64_t>(view));
        std::int64_t row = 0;
        while (std::optional<Batch> batch = loader.next()) {
            if (session.cancelled()) return std::nullopt;
            const torch::Tensor x =
                uploadImages(batch->data.data(), batch->size, batch->channels, batch->height, batch->width,
                             session.device, session.channelsLast);
            torch::Tensor f;
            {
                AutocastScope autocast(session.autocast);
                f = model.features(x);
            }
            features[view].narrow(0, row, batch->size).copy_(f.to(torch::kFloat));
            for (int i = 0; i < batch->size; ++i) {
                validAt[view][row + i] = batch->valid[i] ? 1 : 0;
                if (view == 0) set.records.push_back(batch->indices[i]);
            }
            row += batch->size;
            session.encoderImages += batch->size;
            loader.recycle(std::move(*batch));
        }
    }
    set.features = features;
    set.valid = valid;
    return set;
}

void saveEmbeddings(const std::string& path, const EmbeddingSet& train, const EmbeddingSet& val,
                    const nlohmann::json& identity)
{
    writeTensorFile(path,
                    {{"train.features", train.features},
                     {"train.valid", train.valid},
                     {"train.records", recordTensor(train.records)},
                     {"val.features", val.features},
                     {"val.valid", val.valid},
                     {"val.records", recordTensor(val.records)}},
                    {{kMetaKey, identity.dump()}});
}

std::optional<std::pair<EmbeddingSet, EmbeddingSet>> loadEmbeddings(const std::string& path,
                                                                    const nlohmann::json& identity)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    try {
        auto contents = readTensorFile(path);
        auto meta = contents.metadata.find(kMetaKey);
        if (meta == contents.metadata.end() || nlohmann::json::parse(meta->second) != identity)
            return std::nullopt;
        auto& t = contents.tensors;
        auto set = [&](const std::string& prefix) {
            EmbeddingSet s;
            s.features = t.at(prefix + ".features").to(torch::kFloat);
            s.valid = t.at(prefix + ".valid").to(torch::kByte);
            s.records = recordsOf(t.at(prefix + ".records"));
            if (s.features.dim() != 3 || s.valid.dim() != 2 || s.features.size(0) != s.valid.size(0) ||
                s.features.size(1) != s.valid.size(1) ||
                s.features.size(1) != static_cast<std::int64_t>(s.records.size()))
                throw Error("inconsistent shapes");
            return s;
        };
        return std::make_pair(set("train"), set("val"));
    } catch (const std::exception&) {
        return std::nullopt; // unreadable or incomplete: recompute rather than fail the run
    }
}

} // namespace rm
