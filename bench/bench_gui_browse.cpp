// Browsing big projects in the workbench (MainWindow, offscreen), against plain Qt views measured in the same
// run:
//   1. a project whose catalog has 1,000,000 rows: time from openProject to the first page painted, against
//      filling a QStandardItemModel with the same rows (what a viewer that loads everything does); then the
//      frame times of 200 jumps through the table (paging reads from SQLite as rows come into view);
//   2. a catalog of 100,000 galaxies whose images are the real Galaxy Zoo DECaLS JPEGs (each galaxy decoded
//      on its own: the thumbnail cache is per galaxy): the worst frame while flicking through the thumbnail
//      grid at 60 Hz and while dragging its scroll bar, against a QListView over a QStandardItemModel with
//      the same number of items and one ready-made icon (Qt's own floor for this view).
// A frame is the GUI thread's work for one scroll step: moving the scroll bar, painting the viewport and
// handling what arrived meanwhile (decoded thumbnails). Over 16.7 ms a user sees a stutter.
//
//   bench_gui_browse [--rows N] [--galaxies N] [--frames N] [--json]
#include "BenchSupport.h"
#include "GeneratedCatalogs.h"
#include "catalog/CatalogBrowser.h"
#include "catalog/CatalogTableModel.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ThumbnailLoader.h"
#include "project/ProjectSession.h"
#include "shell/MainWindow.h"

#include "catalog/CatalogReader.h"
#include "store/ProjectStore.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace rm::ui;

namespace {

struct Options
{
    std::size_t rows = 1000000;
    std::size_t galaxies = 100000;
    int frames = 600;
    bool json = false;
};

Options parse(int argc, char** argv)
{
    Options o;
    rmbench::BenchArgs args(argc, argv);
    while (args.next()) {
        if (args.is("--rows"))
            o.rows = std::size_t(args.integer());
        else if (args.is("--galaxies"))
            o.galaxies = std::size_t(args.integer());
        else if (args.is("--frames"))
            o.frames = int(args.integer());
        else if (args.is("--json"))
            o.json = true;
        else
            args.unknown();
    }
    return o;
}

double seconds(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e9;
}

struct Frames
{
    std::string name;
    std::vector<double> ms;
    double percentile(double p) const
    {
        if (ms.empty()) return 0;
        std::vector<double> s = ms;
        std::sort(s.begin(), s.end());
        return s[std::min(s.size() - 1, std::size_t(p / 100.0 * double(s.size())))];
    }
    double worst() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
    // The first frame after a view is shown pays one-time costs (fonts, first page, pixmap cache): reported
    // on its own, so a stutter while browsing is not hidden behind it.
    double steadyWorst() const { return ms.size() < 2 ? 0 : *std::max_element(ms.begin() + 1, ms.end()); }
    int worstAt() const { return ms.empty() ? -1 : int(std::max_element(ms.begin(), ms.end()) - ms.begin()); }
    int over(double limit) const
    {
        return int(std::count_if(ms.begin(), ms.end(), [&](double v) { return v > limit; }));
    }
    nlohmann::json json() const
    {
        return {{"name", name},
                {"frames", ms.size()},
                {"p50_ms", percentile(50)},
                {"p99_ms", percentile(99)},
                {"worst_ms", worst()},
                {"worst_frame", worstAt()},
                {"worst_after_first_ms", steadyWorst()},
                {"frames_over_16ms", over(16.7)}};
    }
};

// One frame: move the bar, paint now, handle what arrived. Then idle to the next 60 Hz tick, as a screen
// would, so the loader threads get the time they would have.
Frames scrollFrames(const std::string& name, QAbstractItemView* view, const std::vector<int>& positions)
{
    Frames f;
    f.name = name;
    QScrollBar* bar = view->verticalScrollBar();
    QElapsedTimer tick;
    for (int value : positions) {
        tick.start();
        bar->setValue(value);
        view->viewport()->repaint();
        QCoreApplication::processEvents();
        f.ms.push_back(double(tick.nsecsElapsed()) / 1e6);
        while (tick.nsecsElapsed() < 16'666'667) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
            QThread::usleep(500);
        }
    }
    return f;
}

std::vector<int> flick(const QScrollBar* bar, int frames, int step)
{
    std::vector<int> v;
    for (int i = 0, value = 0; i < frames; ++i) {
        value += step;
        if (value > bar->maximum()) value = 0;
        v.push_back(value);
    }
    return v;
}

std::vector<int> jumps(const QScrollBar* bar, int count, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> at(0, bar->maximum());
    std::vector<int> v;
    for (int i = 0; i < count; ++i)
        v.push_back(at(rng));
    return v;
}

// n galaxies whose "file" cycles through the real cutouts.
rm::ImportedCatalog imageCatalog(std::size_t n, const std::vector<std::string>& files)
{
    rm::ImportedCatalog c;
    c.path = "/generated/galaxies.csv";
    c.format = rm::CatalogFormat::Csv;
    c.table.addColumn("name", rm::ColumnType::Text);
    c.table.addColumn("file", rm::ColumnType::Text);
    for (std::size_t i = 0; i < n; ++i) {
        c.table.columns[0].appendText("D" + std::to_string(100000 + i));
        c.table.columns[1].appendText(files[i % files.size()]);
        c.ra.push_back(double(i % 36000) / 100.0);
        c.dec.push_back(-30.0 + double(i / 36000) * 0.004);
        c.sourceRow.push_back(i + 1);
    }
    c.position = {rm::PositionKind::Degrees, "ra", "dec"};
    return c;
}

void print(const Frames& ours, const Frames& reference)
{
    for (const Frames* f : {&ours, &reference})
        std::printf("  %-36s p50 %6.2f ms  p99 %6.2f ms  first %6.2f ms  worst after it %6.2f ms  "
                    "over 16.7 ms: %d of %zu\n",
                    f->name.c_str(), f->percentile(50), f->percentile(99), f->ms.empty() ? 0.0 : f->ms[0],
                    f->steadyWorst(), f->over(16.7), f->ms.size());
    std::printf("  ratio (ours / plain Qt): p99 %.2fx, worst after the first frame %.2fx\n",
                ours.percentile(99) / std::max(1e-6, reference.percentile(99)),
                ours.steadyWorst() / std::max(1e-6, reference.steadyWorst()));
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // The offscreen platform warns on every dock layout; the figures are what matters here.
    static const QtMessageHandler previous = qInstallMessageHandler(nullptr);
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext& context, const QString& message) {
        if (!message.contains(QLatin1String("propagateSizeHints"))) previous(type, context, message);
    });
    const Options o = parse(argc, argv);
    QApplication app(argc, argv);
    QTemporaryDir scratch;
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("RingMinerBench"));
    QCoreApplication::setApplicationName(QStringLiteral("RingMinerBench"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       scratch.filePath(QStringLiteral("settings")));
    nlohmann::json summary;

    // --- 1. a 1,000,000-row catalog
    // -------------------------------------------------------------------------
    const std::string bigPath = scratch.filePath(QStringLiteral("big.rmproj")).toStdString();
    QElapsedTimer clock;
    clock.start();
    const rm::ImportedCatalog big = rmtest::millionRowCatalog(o.rows);
    rm::ProjectStore::create(bigPath)->addCatalog("big", big, rm::CatalogRole::Parent);
    std::printf("made a project with a %zu-row catalog in %.1f s\n", o.rows, seconds(clock));

    double openSeconds = 0;
    Frames tableFrames;
    {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        QCoreApplication::processEvents();
        clock.restart();
        if (!window.openProject(QString::fromStdString(bigPath))) return 1;
        window.catalogBrowser()->view()->viewport()->repaint();
        openSeconds = seconds(clock);
        const int rows = window.catalogBrowser()->model()->rowCount();
        std::printf("opened it and painted the first page in %.3f s (%d rows in the view)\n", openSeconds,
                    rows);
        QTableView* table = window.catalogBrowser()->view();
        tableFrames = scrollFrames(std::to_string(o.rows) + "-row table, 200 jumps", table,
                                   jumps(table->verticalScrollBar(), 200, 7));
    }
    // Reference: every row in a QStandardItemModel shown by a QTableView (no IO counted).
    double naiveSeconds = 0;
    Frames naiveTableFrames;
    {
        clock.restart();
        QStandardItemModel model(int(o.rows), 5);
        for (int r = 0; r < int(o.rows); ++r)
            for (int c = 0; c < 5; ++c) {
                const rm::Column& col = big.table.columns[std::size_t(c)];
                auto* item = new QStandardItem;
                const std::size_t row = std::size_t(r);
                if (c == 0 || c == 4)
                    item->setText(QString::fromStdString(col.isNull(row) ? std::string() : col.text(row)));
                else
                    item->setData(col.number(row).value_or(0.0), Qt::DisplayRole);
                model.setItem(r, c, item);
            }
        QTableView view;
        view.resize(700, 900);
        view.setModel(&model);
        view.show();
        view.viewport()->repaint();
        naiveSeconds = seconds(clock);
        naiveTableFrames = scrollFrames("QStandardItemModel table, 200 jumps", &view,
                                        jumps(view.verticalScrollBar(), 200, 7));
    }
    std::printf("reference, all rows in a QStandardItemModel: %.3f s; ours is %.1fx faster to open\n",
                naiveSeconds, naiveSeconds / std::max(1e-9, openSeconds));
    print(tableFrames, naiveTableFrames);
    summary["catalog"] = {{"rows", o.rows},
                          {"open_seconds", openSeconds},
                          {"reference_open_seconds", naiveSeconds},
                          {"open_speedup", naiveSeconds / std::max(1e-9, openSeconds)},
                          {"frames", tableFrames.json()},
                          {"reference_frames", naiveTableFrames.json()}};

    // --- 2. a thumbnail grid over 100,000 galaxies with real images
    // -------------------------------------------
    const std::vector<std::string> paths = rmbench::realJpegs();
    if (paths.empty()) {
        std::fprintf(stderr, "no real cutouts under %s\n", RINGMINER_SHARED_DATA);
        return 1;
    }
    const std::string imageDir = std::filesystem::path(paths.front()).parent_path().string();
    std::vector<std::string> files;
    for (const std::string& p : paths)
        files.push_back(std::filesystem::path(p).filename().string());
    const std::string gridPath = scratch.filePath(QStringLiteral("grid.rmproj")).toStdString();
    {
        auto store = rm::ProjectStore::create(gridPath);
        const std::int64_t id =
            store->addCatalog("galaxies", imageCatalog(o.galaxies, files), rm::CatalogRole::Images);
        store->setImageSourceSpec(
            id, nlohmann::json{{"kind", "folder"}, {"dir", imageDir}, {"template", "{file}"}}.dump());
    }
    Frames gridFlick, gridDrag;
    int decoded = 0;
    double settleSeconds = 0;
    int gridCount = 0;
    {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        if (!window.openProject(QString::fromStdString(gridPath))) return 1;
        CutoutBrowser* cutouts = window.cutoutBrowser();
        clock.restart();
        while (cutouts->model()->rowCount() <
                   int(std::min<std::size_t>(o.galaxies, CutoutBrowser::kMaxGalaxies)) &&
               seconds(clock) < 60)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        gridCount = cutouts->model()->rowCount();
        QListView* view = cutouts->view();
        view->viewport()->repaint();
        std::printf("thumbnail grid: %d galaxies, %d px thumbnails, %d decoder thread(s)\n", gridCount,
                    cutouts->thumbnailSize(), QThread::idealThreadCount());
        gridFlick =
            scrollFrames("thumbnail grid, 60 Hz flick", view, flick(view->verticalScrollBar(), o.frames, 40));
        gridDrag =
            scrollFrames("thumbnail grid, scroll-bar drags", view, jumps(view->verticalScrollBar(), 200, 11));
        ThumbnailLoader& loader = window.session()->thumbnails();
        clock.restart();
        while (loader.pendingCount() > 0 && seconds(clock) < 60)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        settleSeconds = seconds(clock);
        decoded = loader.loadsStarted();
        std::printf(
            "after the last frame the visible thumbnails were all decoded within %.2f s; %d decodes in all\n",
            settleSeconds, decoded);
    }
    Frames plainFlick, plainDrag;
    {
        QStandardItemModel model(gridCount, 1);
        QPixmap icon(128, 128);
        icon.fill(Qt::darkGray);
        const QIcon ready(icon);
        for (int r = 0; r < gridCount; ++r)
            model.setItem(r, 0, new QStandardItem(ready, QStringLiteral("D%1").arg(100000 + r)));
        QListView view;
        view.setViewMode(QListView::IconMode);
        view.setResizeMode(QListView::Adjust);
        view.setUniformItemSizes(true);
        view.setIconSize(QSize(128, 128));
        view.setGridSize(QSize(150, 170));
        view.resize(900, 900);
        view.setModel(&model);
        view.show();
        view.viewport()->repaint();
        plainFlick = scrollFrames("QListView icons, 60 Hz flick", &view,
                                  flick(view.verticalScrollBar(), o.frames, 40));
        plainDrag = scrollFrames("QListView icons, scroll-bar drags", &view,
                                 jumps(view.verticalScrollBar(), 200, 11));
    }
    print(gridFlick, plainFlick);
    print(gridDrag, plainDrag);
    summary["grid"] = {{"galaxies", gridCount},
                       {"decodes", decoded},
                       {"settle_seconds", settleSeconds},
                       {"flick", gridFlick.json()},
                       {"drag", gridDrag.json()},
                       {"reference_flick", plainFlick.json()},
                       {"reference_drag", plainDrag.json()}};
    if (o.json) std::printf("%s\n", summary.dump().c_str());
    return 0;
}
