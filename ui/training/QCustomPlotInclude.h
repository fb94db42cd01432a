#pragma once
// qcustomplot.h declares `signals:` and `slots:` sections and uses `foreach`, which ringminer_ui switches
// off (QT_NO_KEYWORDS, so LibTorch headers survive moc). Include QCustomPlot through this header: it lends
// the keywords to that one header and takes them back.
#ifdef QT_NO_KEYWORDS
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
#else
#include <qcustomplot.h>
#endif
