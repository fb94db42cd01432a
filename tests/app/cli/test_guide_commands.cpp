// The user guide (docs/guide.md) and the README show ringminer-cli commands to copy: every one of them must
// name a verb the program has and only options that verb's usage lists, and every picture the guide shows
// must exist. A renamed verb or option fails here instead of in a reader's shell.
#include "TestData.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using rmtest::runCli;

class TestGuideCommands : public QObject
{
    Q_OBJECT

    QMap<QString, QSet<QString>> m_options; // verb ("catalog import") -> options its usage lists

    static QString sourceFile(const QString& relative)
    {
        return QDir(QString::fromLocal8Bit(qgetenv("RINGMINER_SOURCE_DIR"))).filePath(relative);
    }

    static QString readText(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return {};
        return QString::fromUtf8(f.readAll());
    }

    // The command lines of a Markdown file's ```sh blocks, continuation lines joined, comments dropped.
    static QStringList shellLines(const QString& markdown)
    {
        QStringList out;
        bool inShell = false;
        QString pending;
        for (const QString& raw : markdown.split('\n')) {
            const QString line = raw.trimmed();
            if (line.startsWith(QLatin1String("```"))) {
                inShell = !inShell && line.mid(3).trimmed() == QLatin1String("sh");
                pending.clear();
                continue;
            }
            if (!inShell) continue;
            QString code = line;
            // A comment starts at " #" or at the line's start (no '#' inside the commands shown).
            const int hash = code.startsWith('#') ? 0 : code.indexOf(QLatin1String(" #"));
            if (hash >= 0) code = code.left(hash).trimmed();
            if (code.endsWith('\\')) {
                pending += code.chopped(1) + ' ';
                continue;
            }
            out << (pending + code).trimmed();
            pending.clear();
        }
        return out;
    }

    // Checks every ringminer-cli call of the file; returns how many were checked.
    int checkCommands(const QString& file)
    {
        const QString text = readText(sourceFile(file));
        if (text.isEmpty()) {
            QTest::qFail(qPrintable(file + " is missing or empty"), __FILE__, __LINE__);
            return -1;
        }
        static const QRegularExpression option(QStringLiteral("^--([a-z][a-z0-9-]*)"));
        int checked = 0;
        for (const QString& line : shellLines(text)) {
            // Quoted arguments may hold spaces ('{"kind": "legacysurvey"}', "z < 0.05 and OV != ''").
            QStringList words;
            QString word;
            QChar quote;
            for (QChar c : line) {
                if (!quote.isNull()) {
                    if (c == quote)
                        quote = QChar();
                    else
                        word += c;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c.isSpace()) {
                    if (!word.isEmpty()) words << word;
                    word.clear();
                } else {
                    word += c;
                }
            }
            if (!word.isEmpty()) words << word;
            for (int i = 0; i < words.size(); ++i) {
                if (QFileInfo(words[i]).fileName() != QLatin1String("ringminer-cli")) continue;
                const QStringList rest = words.mid(i + 1);
                if (rest.isEmpty() || rest[0].startsWith(QLatin1String("--")) ||
                    rest[0] == QLatin1String("help"))
                    continue; // the program's own help
                QString verb;
                if (rest.size() > 1 && m_options.contains(rest[0] + ' ' + rest[1]))
                    verb = rest[0] + ' ' + rest[1];
                else if (m_options.contains(rest[0]))
                    verb = rest[0];
                if (verb.isEmpty()) {
                    QTest::qFail(qPrintable(QStringLiteral("%1: no verb '%2' in ringminer-cli help: %3")
                                                .arg(file, rest.mid(0, 2).join(' '), line)),
                                 __FILE__, __LINE__);
                    return -1;
                }
                for (const QString& w : rest) {
                    if (w == QLatin1String("|") || w == QLatin1String("&&") || w == QLatin1String(";")) break;
                    const auto m = option.match(w);
                    if (!m.hasMatch()) continue;
                    const QString name = m.captured(1);
                    if (!m_options[verb].contains(name)) {
                        QTest::qFail(
                            qPrintable(QStringLiteral("%1: '%2' has no option --%3 (its usage: %4): %5")
                                           .arg(file, verb, name,
                                                QStringList(m_options[verb].values()).join(','), line)),
                            __FILE__, __LINE__);
                        return -1;
                    }
                }
                ++checked;
            }
        }
        return checked;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto r = runCli({"help", "--markdown"});
        QCOMPARE(r.exitCode, 0);
        static const QRegularExpression heading(QStringLiteral("^### `ringminer-cli ([a-z ]+)`$"));
        static const QRegularExpression anyOption(QStringLiteral("--([a-z][a-z0-9-]*)"));
        QString verb;
        for (const QString& line : r.out.split('\n')) {
            const auto h = heading.match(line);
            if (h.hasMatch()) {
                verb = h.captured(1);
                m_options[verb] = {QStringLiteral("json"), QStringLiteral("help")};
                continue;
            }
            if (!verb.isEmpty() && line.startsWith(QStringLiteral("ringminer-cli ") + verb + ' ')) {
                auto it = anyOption.globalMatch(line);
                while (it.hasNext())
                    m_options[verb].insert(it.next().captured(1));
            }
        }
        QVERIFY2(m_options.size() >= 20, qPrintable(QStringList(m_options.keys()).join(',')));
        QVERIFY(m_options.value(QStringLiteral("catalog import")).contains(QStringLiteral("label-column")));
    }

    void guideCommandsExist()
    {
        const int n = checkCommands(QStringLiteral("docs/guide.md"));
        qInfo("docs/guide.md: %d ringminer-cli commands checked", n);
        QVERIFY2(n >= 25, "the guide shows fewer commands than it did: is the parser still finding them?");
    }

    void readmeCommandsExist()
    {
        const int n = checkCommands(QStringLiteral("README.md"));
        qInfo("README.md: %d ringminer-cli commands checked", n);
        QVERIFY(n >= 15);
    }

    void guidePicturesExist()
    {
        const QString text = readText(sourceFile(QStringLiteral("docs/guide.md")));
        static const QRegularExpression image(QStringLiteral("!\\[[^\\]]*\\]\\(([^)]+)\\)"));
        int images = 0;
        auto it = image.globalMatch(text);
        while (it.hasNext()) {
            const QString relative = it.next().captured(1);
            const QFileInfo file(QDir(sourceFile(QStringLiteral("docs"))).filePath(relative));
            QVERIFY2(file.isFile(), qPrintable(relative + " is shown by docs/guide.md but missing"));
            QVERIFY2(file.size() < 200 * 1024, qPrintable(relative + " is over 200 KB"));
            ++images;
        }
        QVERIFY(images >= 10);
    }
};

QTEST_GUILESS_MAIN(TestGuideCommands)
#include "test_guide_commands.moc"
