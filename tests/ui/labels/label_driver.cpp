// ui_label_driver PROJECT CATALOG COUNT: labels the first COUNT rows of CATALOG through the workbench's own
// label controller (ProjectSession::labels(), what the 1-5 / N / U keys call), offscreen, one label at a
// time. Row r gets ring (r % 3 == 0), not ring (1) or unsure (2). After each label the controller has
// acknowledged (setLabel returned true: the row is committed) it prints "ack ROW LABEL" and flushes, so a
// process killed at any moment has told its parent exactly which labels it may expect to find. Rows that
// already have a label are skipped: run again after a kill, it carries on where it stopped.
// The crash-safety soak (bench/bench_kill_soak) and app_test_cli_kill SIGKILL it at random moments.
#include "labels/LabelController.h"
#include "project/ProjectSession.h"
#include "util/Error.h"

#include <QApplication>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: ui_label_driver PROJECT CATALOG COUNT\n");
        return 2;
    }
    try {
        auto session = rm::ui::ProjectSession::open(QString::fromLocal8Bit(argv[1]));
        const rm::CatalogInfo cat = session->store().catalog(std::string(argv[2]));
        const long count = std::strtol(argv[3], nullptr, 10);
        rm::ui::LabelController& labels = session->labels();
        QString failure;
        QObject::connect(&labels, &rm::ui::LabelController::failed, [&](const QString& m) { failure = m; });
        int done = 0;
        for (long row = 0; row < count && row < long(cat.rowCount); ++row) {
            const rm::ui::GalaxyId id{cat.id, row};
            if (labels.current(id)) continue; // labelled before a kill
            const rm::HandLabel label = row % 3 == 0   ? rm::HandLabel::Ring
                                        : row % 3 == 1 ? rm::HandLabel::NotRing
                                                       : rm::HandLabel::Unsure;
            if (!labels.setLabel(id, label, row % 3 == 0 ? QStringLiteral("outer") : QString())) {
                std::fprintf(stderr, "label of row %ld failed: %s\n", row, qPrintable(failure));
                return 1;
            }
            std::printf("ack %ld %s\n", row, rm::handLabelName(label));
            std::fflush(stdout);
            ++done;
        }
        std::printf("done %d\n", done);
        return 0;
    } catch (const rm::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
