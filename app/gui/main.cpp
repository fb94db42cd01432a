// ringminer: the workbench. Everything is in ringminer_ui; this only starts it.
#include "shell/MainWindow.h"
#include "shell/Settings.h"
#include "shell/Theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QImage>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RingMiner"));
    QApplication::setApplicationName(QStringLiteral("RingMiner"));
    QApplication::setApplicationVersion(QStringLiteral(RINGMINER_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("RingMiner: a workbench for finding ring galaxies"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("the project (.rmproj) to open"));
    // A headless check of an installation (scripts/test-package.sh runs it from the unpacked .deb) and a way
    // to picture a project: with QT_QPA_PLATFORM=offscreen it needs no display.
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("open the project, render the window to FILE (PNG) and exit; exit status 1 if the "
                       "project could not be opened or FILE not written (no SAMP hub is joined)"),
        QStringLiteral("FILE"));
    parser.addOption(screenshot);
    parser.process(app);

    rm::ui::applyTheme(rm::ui::settings::darkTheme.get());
    rm::ui::MainWindow window;
    QStringList errors;
    QObject::connect(&window, &rm::ui::MainWindow::errorReported, &window,
                     [&errors](const QString& message) { errors << message; });
    window.show();
    window.openAtStartup(parser.positionalArguments().value(0));
    if (!parser.isSet(screenshot)) {
        window.connectSampAtStartup(); // TOPCAT, Aladin or DS9 running: RingMiner joins their hub
        return app.exec();
    }

    // Once the event loop has laid out and painted the window (the panels fill themselves from queued work).
    const QString file = parser.value(screenshot);
    QTimer::singleShot(500, &window, [&] {
        if (!errors.isEmpty()) {
            std::fprintf(stderr, "ringminer: %s\n", qPrintable(errors.join(QStringLiteral("\n"))));
            app.exit(1);
            return;
        }
        const QImage shot = window.grab().toImage();
        if (shot.isNull() || !shot.save(file, "PNG")) {
            std::fprintf(stderr, "ringminer: cannot write the screenshot %s\n", qPrintable(file));
            app.exit(1);
            return;
        }
        std::printf("ringminer: %dx%d screenshot of %s written to %s\n", shot.width(), shot.height(),
                    qPrintable(window.windowTitle()), qPrintable(file));
        app.exit(0);
    });
    return app.exec();
}
