// Ad hoc tool behind docs/images/demo_vs_real.png and the rendering-speed figure in docs/demo-survey.md.
// Renders galaxies of the demo survey to binary PPM files (no OpenCV needed) and times single-core rendering.
// Built by scripts/make_demo_vs_real.sh; not part of the CMake build.
//   demo_samples OUT_DIR [--size PX] [--seed S] [--count N] [--time N]
#include "synthetic/DemoSurvey.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

static void writePpm(const std::string& path, const rm::RgbImage& img)
{
    const auto bytes = rm::toRgb8(img);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        std::perror(path.c_str());
        std::exit(1);
    }
    std::fprintf(f, "P6\n%d %d\n255\n", img.width, img.height);
    std::fwrite(bytes.pixels.data(), 1, bytes.pixels.size(), f);
    std::fclose(f);
}

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR [--size PX] [--seed S] [--count N] [--time N]\n", argv[0]);
        return 2;
    }
    std::string out = argv[1];
    rm::DemoSurveyOptions o;
    o.imageSize = 424;
    int timeCount = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--size"))
            o.imageSize = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seed"))
            o.seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--count"))
            o.rings = o.nonRings = std::strtoul(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--time"))
            timeCount = std::atoi(argv[i + 1]);
    }
    const auto galaxies = rm::planDemoSurvey(o);
    for (const auto& g : galaxies) {
        writePpm(out + "/" + g.id + ".ppm", rm::renderGalaxy(g.params));
        std::printf("%s,%d,%s,%s\n", g.id.c_str(), g.ring ? 1 : 0, rm::ringTypeName(g.params.ringType),
                    rm::morphologyName(g.params.morphology));
    }
    if (timeCount > 0) {
        rm::DemoSurveyOptions t = o;
        t.imageSize = 256;
        t.rings = t.nonRings = static_cast<std::size_t>(timeCount) / 2;
        const auto timed = rm::planDemoSurvey(t);
        const auto start = std::chrono::steady_clock::now();
        const std::clock_t cpuStart = std::clock();
        double checksum = 0;
        for (const auto& g : timed)
            checksum += rm::renderGalaxy(g.params).pixels[0];
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        std::fprintf(
            stderr,
            "rendered %zu images of 256x256 px on one thread: %.2f s wall (%.1f images/s), %.2f s CPU "
            "(%.1f images/s) [checksum %g]\n",
            timed.size(), s, timed.size() / s, cpu, timed.size() / cpu, checksum);
    }
    return 0;
}
