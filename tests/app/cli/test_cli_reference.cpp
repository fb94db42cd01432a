// docs/cli-reference.md is the program's own `help --markdown`: when a verb, its usage or its help changes,
// this test fails until the reference is written again, so the user guide's command reference cannot drift.
#include "TestData.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using rmtest::runCli;

class TestCliReference : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void referenceMatchesTheProgram()
    {
        const auto r = runCli({"help", "--markdown"});
        QCOMPARE(r.exitCode, 0);
        const QString path = QDir(QString::fromLocal8Bit(qgetenv("RINGMINER_SOURCE_DIR")))
                                 .filePath(QStringLiteral("docs/cli-reference.md"));
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path + " is missing"));
        const QString written = QString::fromUtf8(f.readAll());
        if (written != r.out) {
            const QStringList a = written.split('\n'), b = r.out.split('\n');
            int line = 0;
            while (line < a.size() && line < b.size() && a[line] == b[line])
                ++line;
            QFAIL(qPrintable(QStringLiteral("%1 differs from `ringminer-cli help --markdown` at line %2:\n"
                                            "  file:    %3\n  program: %4\nwrite it again with: "
                                            "ringminer-cli help --markdown > docs/cli-reference.md")
                                 .arg(path)
                                 .arg(line + 1)
                                 .arg(line < a.size() ? a[line] : QStringLiteral("(end)"),
                                      line < b.size() ? b[line] : QStringLiteral("(end)"))));
        }
        // Every verb of --help is in it.
        const auto help = runCli({"--help"});
        for (const QString& l : help.out.split('\n'))
            if (l.startsWith(QLatin1String("  ringminer-cli "))) {
                const QString verb = l.mid(16).section(QLatin1Char(' '), 0, 0);
                QVERIFY2(written.contains(QStringLiteral("`ringminer-cli ") + verb), qPrintable(verb));
            }
    }
};

QTEST_GUILESS_MAIN(TestCliReference)
#include "test_cli_reference.moc"
