#include "shell/BackgroundPriority.h"

#include <QtGlobal>

#include <cerrno>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace rm::ui {

void lowerCurrentThreadPriority(int niceness)
{
#ifdef Q_OS_LINUX
    const auto tid = pid_t(syscall(SYS_gettid));
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, id_t(tid));
    if (errno == 0 && now >= niceness) return;
    setpriority(PRIO_PROCESS, id_t(tid), niceness);
#else
    Q_UNUSED(niceness);
#endif
}

} // namespace rm::ui
