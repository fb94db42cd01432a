#include "training/TrainConfig.h"

#include "util/Error.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace rm {

namespace {

using nlohmann::json;

[[noreturn]] void badValue(const std::string& key, const json& value, const std::string& expected)
{
    throw Error("training option '" + key + "': expected " + expected + ", got " + value.dump());
}

// Integral JSON numbers only; 10.0 is accepted because some writers emit every number as a float.
long long integerValue(const std::string& key, const json& v, const std::string& expected)
{
    if (v.is_number_integer()) {
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<int>::max()))
            badValue(key, v, expected);
        return v.get<long long>();
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= std::numeric_limits<int>::max())
            return static_cast<long long>(d);
    }
    badValue(key, v, expected);
}

int intAtLeast(const std::string& key, const json& v, int min)
{
    const std::string expected = "an integer >= " + std::to_string(min);
    const long long n = integerValue(key, v, expected);
    if (n < min || n > std::numeric_limits<int>::max()) badValue(key, v, expected);
    return static_cast<int>(n);
}

int intInRange(const std::string& key, const json& v, int min, int max)
{
    const std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const long long n = integerValue(key, v, expected);
    if (n < min || n > max) badValue(key, v, expected);
    return static_cast<int>(n);
}

// `ok` says whether a finite number is in range; `expected` describes the range for the message.
double number(const std::string& key, const json& v, const std::function<bool(double)>& ok,
              const std::string& expected)
{
    if (!v.is_number()) badValue(key, v, expected);
    const double d = v.get<double>();
    if (!std::isfinite(d) || !ok(d)) badValue(key, v, expected);
    return d;
}

double probability(const std::string& key, const json& v)
{
    return number(
        key, v, [](double p) { return p >= 0 && p <= 1; }, "a probability in [0, 1]");
}

bool boolean(const std::string& key, const json& v)
{
    if (!v.is_boolean()) badValue(key, v, "true or false");
    return v.get<bool>();
}

std::string string(const std::string& key, const json& v)
{
    if (!v.is_string()) badValue(key, v, "a string");
    return v.get<std::string>();
}

std::pair<double, double> range(const std::string& key, const json& v, const std::function<bool(double)>& ok,
                                const std::string& expected)
{
    const std::string what = "[min, max] with " + expected;
    if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number()) badValue(key, v, what);
    const double lo = v[0].get<double>(), hi = v[1].get<double>();
    if (!std::isfinite(lo) || !std::isfinite(hi) || !ok(lo) || !ok(hi) || lo > hi) badValue(key, v, what);
    return {lo, hi};
}

std::vector<float> floats(const std::string& key, const json& v)
{
    if (!v.is_array()) badValue(key, v, "an array of numbers");
    std::vector<float> out;
    for (const json& x : v) {
        if (!x.is_number() || !std::isfinite(x.get<double>())) badValue(key, v, "an array of numbers");
        out.push_back(x.get<float>());
    }
    return out;
}

bool validDevice(const std::string& d)
{
    if (d == "auto" || d == "cpu" || d == "cuda") return true;
    if (d.rfind("cuda:", 0) != 0 || d.size() == 5 || d.size() > 8) return false;
    for (std::size_t i = 5; i < d.size(); ++i)
        if (d[i] < '0' || d[i] > '9') return false;
    return true;
}

const char* borderName(BorderMode mode)
{
    return mode == BorderMode::Reflect ? "reflect" : "constant";
}

using Setter = std::function<void(TrainConfig&, const json&)>;

// One setter per key of a JSON object; an unknown key lists the known ones.
void applyObject(const std::string& what, const std::vector<std::pair<std::string, Setter>>& setters,
                 TrainConfig& config, const json& object)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const Setter* setter = nullptr;
        for (const auto& [name, s] : setters)
            if (name == it.key()) setter = &s;
        if (!setter) {
            std::string known;
            for (const auto& entry : setters)
                known += (known.empty() ? "" : ", ") + entry.first;
            throw Error("unknown " + what + " '" + it.key() + "' (known: " + known + ")");
        }
        (*setter)(config, it.value());
    }
}

void applyAugmentation(TrainConfig& c, const json& v)
{
    if (!v.is_object()) badValue("augmentation", v, "an object");
    const auto unitInterval = [](double x) { return x > 0 && x <= 1; };
    const auto positive = [](double x) { return x > 0; };
    const std::vector<std::pair<std::string, Setter>> setters = {
        {"rotate", [](TrainConfig& t,
                      const json& x) { t.view.augmentation.rotate = boolean("augmentation.rotate", x); }},
        {"flip_h",
         [](TrainConfig& t, const json& x) {
             t.view.augmentation.flipHorizontal = boolean("augmentation.flip_h", x);
         }},
        {"flip_v",
         [](TrainConfig& t, const json& x) {
             t.view.augmentation.flipVertical = boolean("augmentation.flip_v", x);
         }},
        {"crop_scale",
         [&](TrainConfig& t, const json& x) {
             const auto [lo, hi] = range("augmentation.crop_scale", x, unitInterval, "0 < min <= max <= 1");
             t.view.augmentation.cropScaleMin = lo;
             t.view.augmentation.cropScaleMax = hi;
         }},
        {"crop_ratio",
         [&](TrainConfig& t, const json& x) {
             const auto [lo, hi] = range("augmentation.crop_ratio", x, positive, "0 < min <= max");
             t.view.augmentation.cropRatioMin = lo;
             t.view.augmentation.cropRatioMax = hi;
         }},
        {"color_jitter",
         [](TrainConfig& t, const json& x) {
             // One strength for all three, or [brightness, contrast, saturation].
             auto& a = t.view.augmentation;
             const auto strength = [&](const json& v) {
                 if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= 1))
                     badValue("augmentation.color_jitter", x, "a number in [0, 1] or [b, c, s] of them");
                 return v.get<double>();
             };
             if (x.is_array() && x.size() == 3) {
                 a.brightness = strength(x[0]);
                 a.contrast = strength(x[1]);
                 a.saturation = strength(x[2]);
             } else {
                 a.brightness = a.contrast = a.saturation = strength(x);
             }
         }},
        {"jitter_p",
         [](TrainConfig& t, const json& x) {
             t.view.augmentation.jitterProbability = probability("augmentation.jitter_p", x);
         }},
        {"grayscale_p",
         [](TrainConfig& t, const json& x) {
             t.view.augmentation.grayscaleProbability = probability("augmentation.grayscale_p", x);
         }},
        {"blur_p",
         [](TrainConfig& t, const json& x) {
             t.view.augmentation.blurProbability = probability("augmentation.blur_p", x);
         }},
        {"blur_sigma",
         [&](TrainConfig& t, const json& x) {
             const auto [lo, hi] = range("augmentation.blur_sigma", x, positive, "0 < min <= max");
             t.view.augmentation.blurSigmaMin = lo;
             t.view.augmentation.blurSigmaMax = hi;
         }},
        {"border",
         [](TrainConfig& t, const json& x) {
             const std::string name = string("augmentation.border", x);
             if (name == "constant")
                 t.view.augmentation.border = BorderMode::Constant;
             else if (name == "reflect")
                 t.view.augmentation.border = BorderMode::Reflect;
             else
                 badValue("augmentation.border", x, "\"constant\" or \"reflect\"");
         }},
    };
    applyObject("augmentation option", setters, c, v);
}

bool validUnlabelledSpec(const std::string& spec)
{
    for (const char* prefix : {"catalog:", "folder:"}) {
        const std::size_t n = std::char_traits<char>::length(prefix);
        if (spec.rfind(prefix, 0) == 0 && spec.size() > n) return true;
    }
    return false;
}

void applySemiSupervised(TrainConfig& c, const json& v)
{
    // null switches it off.
    if (v.is_null()) {
        c.semiSupervised = SemiSupervisedConfig{};
        return;
    }
    if (!v.is_object()) badValue("semi_supervised", v, "an object {\"method\": \"fixmatch\", ...} or null");
    const std::vector<std::pair<std::string, Setter>> setters = {
        {"method",
         [](TrainConfig& t, const json& x) {
             if (!x.is_string() || x.get<std::string>() != "fixmatch")
                 badValue("semi_supervised.method", x, "\"fixmatch\"");
             t.semiSupervised.method = x.get<std::string>();
         }},
        {"unlabelled",
         [](TrainConfig& t, const json& x) {
             const std::string expected = "an array of \"catalog:NAME\" or \"folder:PATH\" strings";
             if (!x.is_array()) badValue("semi_supervised.unlabelled", x, expected);
             std::vector<std::string> specs;
             for (const json& s : x) {
                 if (!s.is_string() || !validUnlabelledSpec(s.get<std::string>()))
                     badValue("semi_supervised.unlabelled", s, expected);
                 specs.push_back(s.get<std::string>());
             }
             t.semiSupervised.unlabelled = std::move(specs);
         }},
        {"threshold",
         [](TrainConfig& t, const json& x) {
             t.semiSupervised.threshold = number(
                 "semi_supervised.threshold", x, [](double d) { return d > 0.5 && d <= 1; },
                 "a number in (0.5, 1]");
         }},
        {"lambda_u",
         [](TrainConfig& t, const json& x) {
             t.semiSupervised.lambdaU = number(
                 "semi_supervised.lambda_u", x, [](double d) { return d >= 0; }, "a number >= 0");
         }},
        {"mu", [](TrainConfig& t,
                  const json& x) { t.semiSupervised.mu = intInRange("semi_supervised.mu", x, 1, 64); }},
        {"include_eval_folds",
         [](TrainConfig& t, const json& x) {
             t.semiSupervised.includeEvalFolds = boolean("semi_supervised.include_eval_folds", x);
         }},
    };
    applyObject("semi_supervised option", setters, c, v);
    if (!c.semiSupervised.enabled())
        throw Error("training option 'semi_supervised': needs \"method\" (\"fixmatch\"), or null for off");
}

void applyNormalisation(TrainConfig& c, const json& v)
{
    // null clears the normalisation (pixels stay in [0, 1]).
    if (v.is_null()) {
        c.view.normalisation = Normalisation{};
        return;
    }
    if (!v.is_object()) badValue("normalisation", v, "an object {\"mean\": [...], \"std\": [...]} or null");
    const std::vector<std::pair<std::string, Setter>> setters = {
        {"mean",
         [](TrainConfig& t, const json& x) { t.view.normalisation.mean = floats("normalisation.mean", x); }},
        {"std",
         [](TrainConfig& t, const json& x) {
             std::vector<float> s = floats("normalisation.std", x);
             for (float f : s)
                 if (!(f > 0)) badValue("normalisation.std", x, "positive numbers");
             t.view.normalisation.std = std::move(s);
         }},
    };
    applyObject("normalisation option", setters, c, v);
}

const std::vector<std::pair<std::string, Setter>>& topLevelSetters()
{
    const auto nonNegative = [](double x) { return x >= 0; };
    const auto positive = [](double x) { return x > 0; };
    const auto belowOne = [](double x) { return x >= 0 && x < 1; };
    static const std::vector<std::pair<std::string, Setter>> setters = {
        {"arch",
         [](TrainConfig& c, const json& v) {
             c.model.arch = string("arch", v);
             if (c.model.arch.empty()) badValue("arch", v, "a model name");
         }},
        {"in_chans",
         [](TrainConfig& c, const json& v) { c.model.inChannels = intInRange("in_chans", v, 1, 3); }},
        {"drop_path_rate",
         [=](TrainConfig& c, const json& v) {
             c.model.dropPathRate = number("drop_path_rate", v, belowOne, "a number in [0, 1)");
         }},
        {"head_dropout",
         [=](TrainConfig& c, const json& v) {
             c.model.headDropout = number("head_dropout", v, belowOne, "a number in [0, 1)");
         }},
        {"fine_tune",
         [](TrainConfig& c, const json& v) {
             if (!v.is_string())
                 badValue("fine_tune", v, "\"all_layers\", \"head_only\" or \"last_n_blocks\"");
             try {
                 c.fineTune = parseFineTuneMode(v.get<std::string>());
             } catch (const Error& e) {
                 throw Error(std::string("training option 'fine_tune': ") + e.what());
             }
         }},
        {"n_blocks", [](TrainConfig& c, const json& v) { c.nBlocks = intAtLeast("n_blocks", v, 0); }},
        {"lr_decay",
         [](TrainConfig& c, const json& v) {
             c.lrDecay = number(
                 "lr_decay", v, [](double x) { return x > 0 && x <= 1; }, "a number in (0, 1]");
         }},
        {"pretrained", [](TrainConfig& c, const json& v) { c.pretrained = string("pretrained", v); }},
        {"epochs", [](TrainConfig& c, const json& v) { c.epochs = intAtLeast("epochs", v, 1); }},
        {"batch_size", [](TrainConfig& c, const json& v) { c.batchSize = intAtLeast("batch_size", v, 1); }},
        {"learning_rate",
         [=](TrainConfig& c, const json& v) {
             c.learningRate = number("learning_rate", v, positive, "a number > 0");
         }},
        {"min_learning_rate",
         [=](TrainConfig& c, const json& v) {
             c.minLearningRate = number("min_learning_rate", v, nonNegative, "a number >= 0");
         }},
        {"weight_decay",
         [=](TrainConfig& c, const json& v) {
             c.weightDecay = number("weight_decay", v, nonNegative, "a number >= 0");
         }},
        {"warmup_epochs",
         [](TrainConfig& c, const json& v) { c.warmupEpochs = intAtLeast("warmup_epochs", v, 0); }},
        {"label_smoothing",
         [=](TrainConfig& c, const json& v) {
             c.labelSmoothing = number("label_smoothing", v, belowOne, "a number in [0, 1)");
         }},
        {"class_weights",
         [](TrainConfig& c, const json& v) { c.classWeights = boolean("class_weights", v); }},
        {"patience", [](TrainConfig& c, const json& v) { c.patience = intAtLeast("patience", v, 0); }},
        {"cv_folds",
         [](TrainConfig& c, const json& v) {
             c.cvFolds = intAtLeast("cv_folds", v, 0);
             if (c.cvFolds == 1 || c.cvFolds > 20)
                 badValue("cv_folds", v, "0 (no cross-validation) or 2 to 20");
         }},
        {"cv_repeats",
         [](TrainConfig& c, const json& v) { c.cvRepeats = intInRange("cv_repeats", v, 1, 10); }},
        {"select_by",
         [](TrainConfig& c, const json& v) {
             if (!v.is_string() || (v.get<std::string>() != "val_loss" && v.get<std::string>() != "val_auc"))
                 badValue("select_by", v, "\"val_loss\" or \"val_auc\"");
             c.selectBy = v.get<std::string>();
         }},
        {"seed",
         [](TrainConfig& c, const json& v) {
             if (v.is_number_unsigned())
                 c.seed = v.get<std::uint64_t>();
             else if (v.is_number_integer() && v.get<long long>() >= 0)
                 c.seed = static_cast<std::uint64_t>(v.get<long long>());
             else
                 badValue("seed", v, "a non-negative integer");
         }},
        {"image_size",
         [](TrainConfig& c, const json& v) {
             c.view.width = c.view.height = intInRange("image_size", v, kMinImageSide, kMaxImageSide);
         }},
        {"image_width",
         [](TrainConfig& c, const json& v) {
             c.view.width = intInRange("image_width", v, kMinImageSide, kMaxImageSide);
         }},
        {"image_height",
         [](TrainConfig& c, const json& v) {
             c.view.height = intInRange("image_height", v, kMinImageSide, kMaxImageSide);
         }},
        // "channels" also sets in_chans; applyJson applies an explicit "in_chans" after it.
        {"channels",
         [](TrainConfig& c, const json& v) {
             const long long n = integerValue("channels", v, "1 or 3");
             if (n != 1 && n != 3) badValue("channels", v, "1 or 3");
             c.view.channels = c.model.inChannels = static_cast<int>(n);
         }},
        {"augment", [](TrainConfig& c, const json& v) { c.view.augment = boolean("augment", v); }},
        {"eval_crop",
         [](TrainConfig& c, const json& v) {
             c.view.evalCropFraction = number(
                 "eval_crop", v, [](double x) { return x > 0 && x <= 1; }, "a number in (0, 1]");
         }},
        {"augmentation", applyAugmentation},
        {"normalisation", applyNormalisation},
        {"semi_supervised", applySemiSupervised},
        {"device",
         [](TrainConfig& c, const json& v) {
             const std::string d = string("device", v);
             if (!validDevice(d)) badValue("device", v, "\"auto\", \"cpu\", \"cuda\" or \"cuda:N\"");
             c.device = d;
         }},
        {"mixed_precision",
         [](TrainConfig& c, const json& v) { c.mixedPrecision = boolean("mixed_precision", v); }},
        {"channels_last",
         [](TrainConfig& c, const json& v) { c.channelsLast = boolean("channels_last", v); }},
        {"loader_threads",
         [](TrainConfig& c, const json& v) { c.loaderThreads = intAtLeast("loader_threads", v, 0); }},
        {"torch_threads",
         [](TrainConfig& c, const json& v) { c.torchThreads = intAtLeast("torch_threads", v, 0); }},
        {"max_steps_per_epoch",
         [](TrainConfig& c, const json& v) { c.maxStepsPerEpoch = intAtLeast("max_steps_per_epoch", v, 0); }},
        {"embedding_views",
         [](TrainConfig& c, const json& v) { c.embeddingViews = intAtLeast("embedding_views", v, 0); }},
    };
    return setters;
}

} // namespace

const char* fineTuneModeName(FineTuneMode mode)
{
    switch (mode) {
    case FineTuneMode::AllLayers:
        return "all_layers";
    case FineTuneMode::HeadOnly:
        return "head_only";
    case FineTuneMode::LastNBlocks:
        return "last_n_blocks";
    }
    return "all_layers";
}

FineTuneMode parseFineTuneMode(const std::string& name)
{
    for (FineTuneMode m : {FineTuneMode::AllLayers, FineTuneMode::HeadOnly, FineTuneMode::LastNBlocks})
        if (name == fineTuneModeName(m)) return m;
    throw Error("unknown fine-tune mode '" + name + "' (known: all_layers, head_only, last_n_blocks)");
}

nlohmann::json toJson(const TrainConfig& c)
{
    json j;
    j["arch"] = c.model.arch;
    j["in_chans"] = c.model.inChannels;
    j["drop_path_rate"] = c.model.dropPathRate;
    j["head_dropout"] = c.model.headDropout;
    j["fine_tune"] = fineTuneModeName(c.fineTune);
    j["n_blocks"] = c.nBlocks;
    j["lr_decay"] = c.lrDecay;
    j["pretrained"] = c.pretrained;
    j["epochs"] = c.epochs;
    j["batch_size"] = c.batchSize;
    j["learning_rate"] = c.learningRate;
    j["min_learning_rate"] = c.minLearningRate;
    j["weight_decay"] = c.weightDecay;
    j["warmup_epochs"] = c.warmupEpochs;
    j["label_smoothing"] = c.labelSmoothing;
    j["class_weights"] = c.classWeights;
    j["patience"] = c.patience;
    j["cv_folds"] = c.cvFolds;
    j["cv_repeats"] = c.cvRepeats;
    j["select_by"] = c.selectBy;
    j["seed"] = c.seed;
    if (c.view.width == c.view.height) {
        j["image_size"] = c.view.width;
    } else {
        j["image_width"] = c.view.width;
        j["image_height"] = c.view.height;
    }
    j["channels"] = c.view.channels;
    j["augment"] = c.view.augment;
    j["eval_crop"] = c.view.evalCropFraction;
    const AugmentParams& a = c.view.augmentation;
    j["augmentation"] = {{"rotate", a.rotate},
                         {"flip_h", a.flipHorizontal},
                         {"flip_v", a.flipVertical},
                         {"crop_scale", {a.cropScaleMin, a.cropScaleMax}},
                         {"crop_ratio", {a.cropRatioMin, a.cropRatioMax}},
                         {"border", borderName(a.border)}};
    // Only when used, so configs stored before photometric augmentation existed keep their exact JSON.
    if (hasPhotometric(a)) {
        auto& aug = j["augmentation"];
        aug["color_jitter"] = {a.brightness, a.contrast, a.saturation};
        aug["jitter_p"] = a.jitterProbability;
        aug["grayscale_p"] = a.grayscaleProbability;
        aug["blur_p"] = a.blurProbability;
        aug["blur_sigma"] = {a.blurSigmaMin, a.blurSigmaMax};
    }
    j["normalisation"] = {{"mean", c.view.normalisation.mean}, {"std", c.view.normalisation.std}};
    j["device"] = c.device;
    j["mixed_precision"] = c.mixedPrecision;
    j["channels_last"] = c.channelsLast;
    j["loader_threads"] = c.loaderThreads;
    j["torch_threads"] = c.torchThreads;
    j["max_steps_per_epoch"] = c.maxStepsPerEpoch;
    j["embedding_views"] = c.embeddingViews;
    if (c.semiSupervised.enabled()) {
        const SemiSupervisedConfig& u = c.semiSupervised;
        j["semi_supervised"] = {{"method", u.method},
                                {"unlabelled", u.unlabelled},
                                {"threshold", u.threshold},
                                {"lambda_u", u.lambdaU},
                                {"mu", u.mu},
                                {"include_eval_folds", u.includeEvalFolds}};
    }
    return j;
}

TrainConfig applyJson(TrainConfig base, const nlohmann::json& j)
{
    if (j.is_null()) return base;
    if (!j.is_object()) throw Error("training options must be a JSON object, got " + j.dump());
    applyObject("training option", topLevelSetters(), base, j);
    // Object iteration is alphabetical, so "channels" already ran before "in_chans"; re-apply to be explicit
    // about the rule rather than rely on key order.
    if (j.contains("in_chans")) base.model.inChannels = intInRange("in_chans", j.at("in_chans"), 1, 3);
    return base;
}

void validate(const TrainConfig& c)
{
    if (c.model.arch.empty()) throw Error("training option 'arch' must name a model");
    if (c.view.channels != c.model.inChannels)
        throw Error("training options disagree: channels is " + std::to_string(c.view.channels) +
                    " but the model's in_chans is " + std::to_string(c.model.inChannels));
    if (!(c.model.dropPathRate >= 0 && c.model.dropPathRate < 1))
        throw Error("training option 'drop_path_rate' must be in [0, 1), got " +
                    std::to_string(c.model.dropPathRate));
    if (!(c.model.headDropout >= 0 && c.model.headDropout < 1))
        throw Error("training option 'head_dropout' must be in [0, 1), got " +
                    std::to_string(c.model.headDropout));
    if (c.nBlocks < 0)
        throw Error("training option 'n_blocks' must be >= 0, got " + std::to_string(c.nBlocks));
    if (c.fineTune == FineTuneMode::LastNBlocks && c.nBlocks < 1)
        throw Error("fine_tune 'last_n_blocks' needs n_blocks >= 1, got " + std::to_string(c.nBlocks));
    if (!(c.lrDecay > 0 && c.lrDecay <= 1))
        throw Error("training option 'lr_decay' must be in (0, 1], got " + std::to_string(c.lrDecay));
    if (c.epochs < 1) throw Error("training option 'epochs' must be >= 1, got " + std::to_string(c.epochs));
    if (c.batchSize < 1)
        throw Error("training option 'batch_size' must be >= 1, got " + std::to_string(c.batchSize));
    if (!(c.learningRate > 0 && std::isfinite(c.learningRate)))
        throw Error("training option 'learning_rate' must be > 0, got " + std::to_string(c.learningRate));
    if (!(c.minLearningRate >= 0 && c.minLearningRate <= c.learningRate))
        throw Error("training option 'min_learning_rate' must be in [0, learning_rate], got " +
                    std::to_string(c.minLearningRate));
    if (!(c.weightDecay >= 0 && std::isfinite(c.weightDecay)))
        throw Error("training option 'weight_decay' must be >= 0, got " + std::to_string(c.weightDecay));
    if (c.warmupEpochs < 0)
        throw Error("training option 'warmup_epochs' must be >= 0, got " + std::to_string(c.warmupEpochs));
    if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1))
        throw Error("training option 'label_smoothing' must be in [0, 1), got " +
                    std::to_string(c.labelSmoothing));
    if (c.patience < 0)
        throw Error("training option 'patience' must be >= 0, got " + std::to_string(c.patience));
    rm::validate(c.view);
    if (!validDevice(c.device))
        throw Error("training option 'device' must be \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got '" +
                    c.device + "'");
    if (c.loaderThreads < 0 || c.torchThreads < 0 || c.maxStepsPerEpoch < 0 || c.embeddingViews < 0)
        throw Error("training options 'loader_threads', 'torch_threads', 'max_steps_per_epoch' and "
                    "'embedding_views' must be >= 0");
    const SemiSupervisedConfig& u = c.semiSupervised;
    if (u.enabled()) {
        if (u.method != "fixmatch")
            throw Error("training option 'semi_supervised.method' must be \"fixmatch\", got '" + u.method +
                        "'");
        if (u.unlabelled.empty())
            throw Error("training option 'semi_supervised.unlabelled' must name at least one image source "
                        "(\"catalog:NAME\" or \"folder:PATH\")");
        for (const auto& spec : u.unlabelled)
            if (!validUnlabelledSpec(spec))
                throw Error("training option 'semi_supervised.unlabelled': '" + spec +
                            "' is neither \"catalog:NAME\" nor \"folder:PATH\"");
        if (!(u.threshold > 0.5 && u.threshold <= 1))
            throw Error("training option 'semi_supervised.threshold' must be in (0.5, 1], got " +
                        std::to_string(u.threshold));
        if (!(u.lambdaU >= 0 && std::isfinite(u.lambdaU)))
            throw Error("training option 'semi_supervised.lambda_u' must be >= 0, got " +
                        std::to_string(u.lambdaU));
        if (u.mu < 1 || u.mu > 64)
            throw Error("training option 'semi_supervised.mu' must be from 1 to 64, got " +
                        std::to_string(u.mu));
    }
}

} // namespace rm
