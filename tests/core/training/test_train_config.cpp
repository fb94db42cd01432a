// TrainConfig: JSON keys, round trips, and the errors a typo in a matrix file must produce.
#include "training/TrainConfig.h"
#include "training/TrainProgress.h"
#include "util/Error.h"

#include <QtTest>

#include <string>

using namespace rm;
using nlohmann::json;

namespace {

// Field by field, so a field that toJson forgets shows up as a difference rather than two equal JSONs.
void expectEqual(const TrainConfig& a, const TrainConfig& b)
{
    QCOMPARE(a.model.arch, b.model.arch);
    QCOMPARE(a.model.inChannels, b.model.inChannels);
    QCOMPARE(a.model.dropPathRate, b.model.dropPathRate);
    QCOMPARE(a.model.headDropout, b.model.headDropout);
    QVERIFY(a.fineTune == b.fineTune);
    QCOMPARE(a.nBlocks, b.nBlocks);
    QCOMPARE(a.lrDecay, b.lrDecay);
    QCOMPARE(a.pretrained, b.pretrained);
    QCOMPARE(a.epochs, b.epochs);
    QCOMPARE(a.batchSize, b.batchSize);
    QCOMPARE(a.learningRate, b.learningRate);
    QCOMPARE(a.minLearningRate, b.minLearningRate);
    QCOMPARE(a.weightDecay, b.weightDecay);
    QCOMPARE(a.warmupEpochs, b.warmupEpochs);
    QCOMPARE(a.labelSmoothing, b.labelSmoothing);
    QCOMPARE(a.classWeights, b.classWeights);
    QCOMPARE(a.patience, b.patience);
    QCOMPARE(a.selectBy, b.selectBy);
    QCOMPARE(a.seed, b.seed);
    QCOMPARE(a.view.width, b.view.width);
    QCOMPARE(a.view.height, b.view.height);
    QCOMPARE(a.view.channels, b.view.channels);
    QCOMPARE(a.view.evalCropFraction, b.view.evalCropFraction);
    QCOMPARE(a.view.augment, b.view.augment);
    QCOMPARE(a.view.augmentation.rotate, b.view.augmentation.rotate);
    QCOMPARE(a.view.augmentation.flipHorizontal, b.view.augmentation.flipHorizontal);
    QCOMPARE(a.view.augmentation.flipVertical, b.view.augmentation.flipVertical);
    QCOMPARE(a.view.augmentation.cropScaleMin, b.view.augmentation.cropScaleMin);
    QCOMPARE(a.view.augmentation.cropScaleMax, b.view.augmentation.cropScaleMax);
    QCOMPARE(a.view.augmentation.cropRatioMin, b.view.augmentation.cropRatioMin);
    QCOMPARE(a.view.augmentation.cropRatioMax, b.view.augmentation.cropRatioMax);
    QVERIFY(a.view.augmentation.border == b.view.augmentation.border);
    QVERIFY(a.view.normalisation.mean == b.view.normalisation.mean);
    QVERIFY(a.view.normalisation.std == b.view.normalisation.std);
    QCOMPARE(a.device, b.device);
    QCOMPARE(a.mixedPrecision, b.mixedPrecision);
    QCOMPARE(a.channelsLast, b.channelsLast);
    QCOMPARE(a.loaderThreads, b.loaderThreads);
    QCOMPARE(a.torchThreads, b.torchThreads);
    QCOMPARE(a.maxStepsPerEpoch, b.maxStepsPerEpoch);
    QCOMPARE(a.embeddingViews, b.embeddingViews);
}

// A config with every field away from its default.
TrainConfig unusual()
{
    TrainConfig c;
    c.model.arch = "convnext_nano";
    c.model.inChannels = 1;
    c.model.dropPathRate = 0.1;
    c.model.headDropout = 0.35;
    c.fineTune = FineTuneMode::LastNBlocks;
    c.nBlocks = 3;
    c.lrDecay = 0.75;
    c.pretrained = "/models/encoder.safetensors";
    c.epochs = 37;
    c.selectBy = "val_auc";
    c.batchSize = 7;
    c.learningRate = 3.3e-4;
    c.minLearningRate = 1.7e-7;
    c.weightDecay = 0.013;
    c.warmupEpochs = 4;
    c.labelSmoothing = 0.15;
    c.classWeights = false;
    c.patience = 0;
    c.seed = 18446744073709551557ull; // above 2^63: must survive JSON unchanged
    c.view.width = c.view.height = 96;
    c.view.channels = 1;
    c.view.evalCropFraction = 0.875;
    c.view.augment = true;
    c.view.augmentation.rotate = false;
    c.view.augmentation.flipHorizontal = false;
    c.view.augmentation.flipVertical = true;
    c.view.augmentation.cropScaleMin = 0.5;
    c.view.augmentation.cropScaleMax = 0.9;
    c.view.augmentation.cropRatioMin = 0.8;
    c.view.augmentation.cropRatioMax = 1.25;
    c.view.augmentation.border = BorderMode::Reflect;
    c.view.normalisation.mean = {0.485f};
    c.view.normalisation.std = {0.229f};
    c.device = "cuda:1";
    c.mixedPrecision = false;
    c.channelsLast = false;
    c.loaderThreads = 3;
    c.torchThreads = 2;
    c.maxStepsPerEpoch = 11;
    c.embeddingViews = 0;
    return c;
}

template <typename F> QString errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestTrainConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fineTuneNames()
    {
        for (FineTuneMode m : {FineTuneMode::AllLayers, FineTuneMode::HeadOnly, FineTuneMode::LastNBlocks})
            QVERIFY(parseFineTuneMode(fineTuneModeName(m)) == m);
        QCOMPARE(std::string(fineTuneModeName(FineTuneMode::HeadOnly)), std::string("head_only"));
        const QString err = errorOf([] { parseFineTuneMode("head"); });
        QVERIFY2(err.contains("'head'") && err.contains("last_n_blocks"), qPrintable(err));
    }

    void toJsonHasEveryKey()
    {
        const json j = toJson(TrainConfig{});
        for (const char* key : {"arch",
                                "in_chans",
                                "drop_path_rate",
                                "head_dropout",
                                "fine_tune",
                                "n_blocks",
                                "lr_decay",
                                "pretrained",
                                "epochs",
                                "batch_size",
                                "learning_rate",
                                "min_learning_rate",
                                "weight_decay",
                                "warmup_epochs",
                                "label_smoothing",
                                "class_weights",
                                "patience",
                                "seed",
                                "image_size",
                                "channels",
                                "augment",
                                "eval_crop",
                                "augmentation",
                                "normalisation",
                                "device",
                                "mixed_precision",
                                "channels_last",
                                "loader_threads",
                                "torch_threads",
                                "max_steps_per_epoch",
                                "embedding_views",
                                "select_by",
                                "cv_folds",
                                "cv_repeats"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j.size(), std::size_t(34));
        QCOMPARE(j["cv_folds"].get<int>(), 0); // the fixed split unless a cell asks for cross-validation
        QCOMPARE(j["select_by"].get<std::string>(), std::string("val_loss"));
        QCOMPARE(j["fine_tune"].get<std::string>(), std::string("all_layers"));
        QCOMPARE(j["image_size"].get<int>(), 224);
        QCOMPARE(j["augmentation"]["crop_scale"], json({0.7, 0.8}));
        QCOMPARE(j["augmentation"]["crop_ratio"], json({0.9, 1.1}));
        QVERIFY(j["augmentation"].contains("rotate") && j["augmentation"].contains("flip_h") &&
                j["augmentation"].contains("flip_v"));
        QVERIFY(j["normalisation"]["mean"].is_array() && j["normalisation"]["std"].is_array());
    }

    // The kept epoch follows select_by, and early stopping watches the same criterion.
    void selectByPicksTheKeptEpoch()
    {
        // Loss falls all the way; AUC peaks at epoch 2 (0-based 1).
        const double losses[] = {0.69, 0.60, 0.55, 0.52};
        const double aucs[] = {0.674, 0.70, 0.69, 0.698};
        for (const std::string selectBy : {"val_loss", "val_auc"}) {
            TrainProgress p;
            std::vector<bool> kept;
            for (int e = 0; e < 4; ++e) {
                EpochEvent ev;
                ev.epoch = e;
                ev.valLoss = losses[e];
                ev.valAuc = aucs[e];
                kept.push_back(p.addEpoch(ev, 2, selectBy));
                QCOMPARE(bool(p.history.back().best), bool(kept.back()));
            }
            if (selectBy == "val_loss") {
                QCOMPARE(p.bestEpoch, 3);
                QVERIFY(!p.stoppedEarly);
                QCOMPARE(kept, std::vector<bool>({true, true, true, true}));
            } else {
                QCOMPARE(p.bestEpoch, 1);
                QCOMPARE(p.bestValAuc, 0.70);
                QVERIFY(p.stoppedEarly); // two epochs without a better AUC
                QCOMPARE(kept, std::vector<bool>({true, true, false, false}));
            }
            // The state survives a checkpoint round trip (a resumed run keeps choosing the same way).
            const TrainProgress back = progressFromJson(toJson(p));
            QCOMPARE(back.bestEpoch, p.bestEpoch);
            QCOMPARE(back.bestValAuc, p.bestValAuc);
        }
        QCOMPARE(selectionCriterionText("val_auc"), std::string("highest val AUC"));
        QCOMPARE(selectionCriterionText("val_loss"), std::string("lowest val loss"));
    }

    void roundTrip()
    {
        const TrainConfig defaults;
        expectEqual(applyJson(TrainConfig{}, toJson(defaults)), defaults);
        const TrainConfig u = unusual();
        validate(u);
        // Onto the defaults and through text, as runs.config_json stores it.
        expectEqual(applyJson(TrainConfig{}, json::parse(toJson(u).dump())), u);
        // A non-square view goes out as width and height.
        TrainConfig wide = u;
        wide.view.width = 128;
        const json j = toJson(wide);
        QVERIFY(!j.contains("image_size") && j["image_width"] == 128 && j["image_height"] == 96);
        expectEqual(applyJson(TrainConfig{}, j), wide);
    }

    void partialOverride()
    {
        const TrainConfig base = unusual();
        const TrainConfig c = applyJson(base, json::parse(R"({"epochs": 3, "fine_tune": "head_only",
            "augmentation": {"flip_h": true}, "image_size": 64})"));
        QCOMPARE(c.epochs, 3);
        QVERIFY(c.fineTune == FineTuneMode::HeadOnly);
        QCOMPARE(c.view.augmentation.flipHorizontal, true);
        QCOMPARE(c.view.augmentation.cropScaleMin, 0.5); // untouched sibling in the same object
        QCOMPARE(c.view.width, 64);
        QCOMPARE(c.view.height, 64);
        QCOMPARE(c.batchSize, base.batchSize);
        QCOMPARE(c.seed, base.seed);
        expectEqual(applyJson(base, json::object()), base);
        expectEqual(applyJson(base, json()), base);
        // Integral floats are integers (some writers emit 10.0).
        QCOMPARE(applyJson(base, json::parse(R"({"epochs": 10.0})")).epochs, 10);
        const TrainConfig r = applyJson(base, json::parse(R"({"image_width": 32, "image_height": 48})"));
        QCOMPARE(r.view.width, 32);
        QCOMPARE(r.view.height, 48);
        QVERIFY(applyJson(base, json::parse(R"({"normalisation": null})")).view.normalisation.mean.empty());
    }

    void channelsSetsBothUnlessInChansGiven()
    {
        TrainConfig c = applyJson(TrainConfig{}, json::parse(R"({"channels": 1})"));
        QCOMPARE(c.view.channels, 1);
        QCOMPARE(c.model.inChannels, 1);
        validate(c);
        c = applyJson(TrainConfig{}, json::parse(R"({"channels": 1, "in_chans": 3})"));
        QCOMPARE(c.view.channels, 1);
        QCOMPARE(c.model.inChannels, 3);
        QVERIFY(errorOf([&] { validate(c); }).contains("in_chans"));
        c = applyJson(TrainConfig{}, json::parse(R"({"in_chans": 1})"));
        QCOMPARE(c.view.channels, 3);
        QCOMPARE(c.model.inChannels, 1);
    }

    void unknownKey()
    {
        QString err = errorOf([] { applyJson(TrainConfig{}, json::parse(R"({"epoch": 3})")); });
        QVERIFY2(err.contains("unknown training option 'epoch'") && err.contains("known: ") &&
                     err.contains("epochs") && err.contains("embedding_views"),
                 qPrintable(err));
        err = errorOf([] { applyJson(TrainConfig{}, json::parse(R"({"augmentation": {"flip": true}})")); });
        QVERIFY2(err.contains("'flip'") && err.contains("flip_h"), qPrintable(err));
        err =
            errorOf([] { applyJson(TrainConfig{}, json::parse(R"({"normalisation": {"means": [0.5]}})")); });
        QVERIFY2(err.contains("'means'"), qPrintable(err));
        err = errorOf([] { applyJson(TrainConfig{}, json::parse("[1, 2]")); });
        QVERIFY2(err.contains("object"), qPrintable(err));
    }

    void badValues_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("select_by unknown") << R"({"select_by": "val_acc"})"
                                           << "select_by"
                                           << "\"val_acc\"";
        QTest::newRow("epochs 0") << R"({"epochs": 0})"
                                  << "epochs"
                                  << "0";
        QTest::newRow("epochs string") << R"({"epochs": "ten"})"
                                       << "epochs"
                                       << "\"ten\"";
        QTest::newRow("epochs fraction") << R"({"epochs": 2.5})"
                                         << "epochs"
                                         << "2.5";
        QTest::newRow("batch negative") << R"({"batch_size": -4})"
                                        << "batch_size"
                                        << "-4";
        QTest::newRow("lr zero") << R"({"learning_rate": 0})"
                                 << "learning_rate"
                                 << "0";
        QTest::newRow("lr string") << R"({"learning_rate": "1e-3"})"
                                   << "learning_rate"
                                   << "\"1e-3\"";
        QTest::newRow("smoothing 1") << R"({"label_smoothing": 1.0})"
                                     << "label_smoothing"
                                     << "1.0";
        QTest::newRow("smoothing negative") << R"({"label_smoothing": -0.1})"
                                            << "label_smoothing"
                                            << "-0.1";
        QTest::newRow("n_blocks negative") << R"({"n_blocks": -1})"
                                           << "n_blocks"
                                           << "-1";
        QTest::newRow("fine_tune") << R"({"fine_tune": "everything"})"
                                   << "everything"
                                   << "everything";
        QTest::newRow("fine_tune number") << R"({"fine_tune": 2})"
                                          << "fine_tune"
                                          << "2";
        QTest::newRow("image small") << R"({"image_size": 4})"
                                     << "image_size"
                                     << "4";
        QTest::newRow("image big") << R"({"image_size": 2048})"
                                   << "image_size"
                                   << "2048";
        QTest::newRow("image width") << R"({"image_width": 7})"
                                     << "image_width"
                                     << "7";
        QTest::newRow("channels 2") << R"({"channels": 2})"
                                    << "channels"
                                    << "2";
        QTest::newRow("augment int") << R"({"augment": 1})"
                                     << "augment"
                                     << "1";
        QTest::newRow("eval crop") << R"({"eval_crop": 1.5})"
                                   << "eval_crop"
                                   << "1.5";
        QTest::newRow("crop scale order") << R"({"augmentation": {"crop_scale": [0.9, 0.5]}})"
                                          << "augmentation.crop_scale"
                                          << "[0.9,0.5]";
        QTest::newRow("crop scale len") << R"({"augmentation": {"crop_scale": [0.9]}})"
                                        << "augmentation.crop_scale"
                                        << "[0.9]";
        QTest::newRow("crop ratio") << R"({"augmentation": {"crop_ratio": [0, 1]}})"
                                    << "augmentation.crop_ratio"
                                    << "[0,1]";
        QTest::newRow("augmentation type") << R"({"augmentation": true})"
                                           << "augmentation"
                                           << "true";
        QTest::newRow("std zero") << R"({"normalisation": {"std": [0.2, 0, 0.2]}})"
                                  << "normalisation.std"
                                  << "[0.2,0,0.2]";
        QTest::newRow("mean text") << R"({"normalisation": {"mean": ["a"]}})"
                                   << "normalisation.mean"
                                   << "[\"a\"]";
        QTest::newRow("device") << R"({"device": "gpu"})"
                                << "device"
                                << "\"gpu\"";
        QTest::newRow("device index") << R"({"device": "cuda:x"})"
                                      << "device"
                                      << "\"cuda:x\"";
        QTest::newRow("seed negative") << R"({"seed": -1})"
                                       << "seed"
                                       << "-1";
        QTest::newRow("patience") << R"({"patience": -2})"
                                  << "patience"
                                  << "-2";
        QTest::newRow("threads") << R"({"loader_threads": -1})"
                                 << "loader_threads"
                                 << "-1";
        QTest::newRow("pretrained") << R"({"pretrained": 5})"
                                    << "pretrained"
                                    << "5";
        QTest::newRow("lr_decay") << R"({"lr_decay": 0})"
                                  << "lr_decay"
                                  << "0";
        QTest::newRow("dropout") << R"({"head_dropout": 1})"
                                 << "head_dropout"
                                 << "1";
        QTest::newRow("epochs huge") << R"({"epochs": 99999999999})"
                                     << "epochs"
                                     << "99999999999";
    }

    void badValues()
    {
        QFETCH(QString, json);
        QFETCH(QString, key);
        QFETCH(QString, value);
        const QString err =
            errorOf([&] { applyJson(TrainConfig{}, nlohmann::json::parse(json.toStdString())); });
        QVERIFY2(!err.isEmpty(), "no error");
        QVERIFY2(err.contains("'" + key + "'"), qPrintable(err));
        QVERIFY2(err.contains(value), qPrintable(err));
    }

    void validateCatchesInconsistencies()
    {
        validate(TrainConfig{});
        struct Case
        {
            const char* name;
            void (*change)(TrainConfig&);
            const char* expect;
        };
        const Case cases[] = {
            {"channels", [](TrainConfig& c) { c.view.channels = 1; }, "in_chans"},
            {"epochs", [](TrainConfig& c) { c.epochs = 0; }, "epochs"},
            {"batch", [](TrainConfig& c) { c.batchSize = 0; }, "batch_size"},
            {"lr", [](TrainConfig& c) { c.learningRate = 0; }, "learning_rate"},
            {"smoothing", [](TrainConfig& c) { c.labelSmoothing = 1; }, "label_smoothing"},
            {"n_blocks", [](TrainConfig& c) { c.nBlocks = -1; }, "n_blocks"},
            {"last_n", [](TrainConfig& c) { c.fineTune = FineTuneMode::LastNBlocks; }, "n_blocks"},
            {"small", [](TrainConfig& c) { c.view.width = 4; }, "size"},
            {"big", [](TrainConfig& c) { c.view.height = 2000; }, "size"},
            {"min lr", [](TrainConfig& c) { c.minLearningRate = 1; }, "min_learning_rate"},
            {"norm", [](TrainConfig& c) { c.view.normalisation.mean = {0.5f}; }, "normalisation"},
            {"crop", [](TrainConfig& c) { c.view.evalCropFraction = 0; }, "crop"},
            {"device", [](TrainConfig& c) { c.device = "tpu"; }, "device"},
            {"arch", [](TrainConfig& c) { c.model.arch.clear(); }, "arch"},
            {"views", [](TrainConfig& c) { c.embeddingViews = -1; }, "embedding_views"},
        };
        for (const Case& k : cases) {
            TrainConfig c;
            k.change(c);
            const QString err = errorOf([&] { validate(c); });
            QVERIFY2(err.contains(k.expect), qPrintable(QString(k.name) + ": " + err));
        }
        TrainConfig ok;
        ok.fineTune = FineTuneMode::LastNBlocks;
        ok.nBlocks = 2;
        validate(ok);
    }
};

QTEST_APPLESS_MAIN(TestTrainConfig)
#include "test_train_config.moc"
