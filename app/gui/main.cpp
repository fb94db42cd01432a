// ringminer: the workbench. Everything is in ringminer_ui; this only starts it.
#include "shell/MainWindow.h"
#include "shell/Settings.h"
#include "shell/Theme.h"

#include <QApplication>
#include <QCommandLineParser>

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
    parser.process(app);

    rm::ui::applyTheme(rm::ui::settings::darkTheme.get());
    rm::ui::MainWindow window;
    window.show();
    window.openAtStartup(parser.positionalArguments().value(0));
    window.connectSampAtStartup(); // TOPCAT, Aladin or DS9 running: RingMiner joins their hub
    return app.exec();
}
