#include "mining/CandidateCatalog.h"

#include "sky/CrossMatcher.h"
#include "util/CsvField.h"
#include "util/Error.h"

#include <fitsio.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace rm {

void CandidateTable::resize(std::size_t n)
{
    sourceRow.resize(n);
    id.resize(n);
    ra.resize(n, NAN);
    dec.resize(n, NAN);
    pRing.resize(n, NAN);
    pRingStd.resize(n, NAN);
    isRing.resize(n, 0);
    knownRing.resize(n, 0);
    knownCatalog.resize(n);
    knownId.resize(n);
    knownSeparation.resize(n, NAN);
    error.resize(n);
}

void flagKnownRings(CandidateTable& table, const std::vector<KnownRings>& known, double radiusArcsec)
{
    for (const KnownRings& k : known) {
        if (k.ra.empty()) continue;
        const SkyIndex index(k.ra, k.dec);
        for (std::size_t i = 0; i < table.size(); ++i) {
            if (!std::isfinite(table.ra[i]) || !std::isfinite(table.dec[i])) continue;
            const auto [row, sep] = index.nearest(table.ra[i], table.dec[i]);
            if (row < 0 || !(sep <= radiusArcsec)) continue;
            if (table.knownRing[i] && !(sep < table.knownSeparation[i])) continue;
            table.knownRing[i] = 1;
            table.knownCatalog[i] = k.name;
            table.knownId[i] = static_cast<std::size_t>(row) < k.ids.size()
                                   ? k.ids[static_cast<std::size_t>(row)]
                                   : std::to_string(row);
            table.knownSeparation[i] = sep;
        }
    }
}

namespace {

std::string fixed(double v, const char* format)
{
    if (!std::isfinite(v)) return {};
    char buf[48];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// The shortest text that reads back as the same double ("" for NaN).
std::string exact(double v)
{
    if (!std::isfinite(v)) return {};
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// The id column keeps the input's name unless that would clash with a column of ours.
std::string idHeader(const CandidateTable& t)
{
    for (const char* ours : {"row", "ra", "dec", "p_ring", "p_ring_std", "is_ring", "known_ring",
                             "known_catalog", "known_id", "known_sep_arcsec", "error"})
        if (t.idName == ours) return "id";
    return t.idName.empty() ? "id" : t.idName;
}

std::string tempName(const std::string& path)
{
    return path + ".tmp." + std::to_string(::getpid());
}

void syncAndRename(const std::string& tmp, const std::string& path)
{
    if (FILE* f = std::fopen(tmp.c_str(), "rb")) {
        ::fsync(fileno(f));
        std::fclose(f);
    }
    fs::rename(tmp, path);
}

} // namespace

void writeTextFile(const std::string& path, const std::string& text)
{
    const std::string tmp = tempName(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) throw Error("cannot write '" + tmp + "'");
    }
    syncAndRename(tmp, path);
}

void writeCandidatesCsv(const std::string& path, const CandidateTable& t)
{
    const std::string tmp = tempName(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot write '" + tmp + "'");
        out << "row," << csvField(idHeader(t));
        if (t.hasPositions) out << ",ra,dec";
        out << ",p_ring";
        if (t.tta) out << ",p_ring_std";
        out << ",is_ring,known_ring,known_catalog,known_id,known_sep_arcsec,error\n";
        for (std::size_t i = 0; i < t.size(); ++i) {
            out << t.sourceRow[i] << ',' << csvField(t.id[i]);
            // Positions exactly as read (shortest round trip), not rounded: the candidates catalog finds its
            // cutouts by position, and a service cache keys them by the position rounded to six decimals,
            // which a second rounding (to seven, then six) missed for 1 row in 10.
            if (t.hasPositions) out << ',' << exact(t.ra[i]) << ',' << exact(t.dec[i]);
            out << ',' << fixed(t.pRing[i], "%.6f");
            if (t.tta) out << ',' << fixed(t.pRingStd[i], "%.6f");
            out << ',' << int(t.isRing[i]) << ',' << int(t.knownRing[i]) << ',' << csvField(t.knownCatalog[i])
                << ',' << csvField(t.knownId[i]) << ',' << fixed(t.knownSeparation[i], "%.3f") << ','
                << csvField(t.error[i]) << '\n';
        }
        out.flush();
        if (!out) throw Error("error writing '" + tmp + "'");
    }
    syncAndRename(tmp, path);
}

std::string provenanceJson(const CandidateProvenance& p)
{
    nlohmann::json j = {
        {"run", p.runId},
        {"cell", p.cell},
        {"arch", p.arch},
        {"fine_tune", p.fineTune},
        {"weights_sha256", p.weightsSha256},
        {"threshold", p.threshold},
        {"threshold_how", p.thresholdHow},
        {"target_precision",
         std::isfinite(p.targetPrecision) ? nlohmann::json(p.targetPrecision) : nlohmann::json()},
        {"val_precision", std::isfinite(p.valPrecision) ? nlohmann::json(p.valPrecision) : nlohmann::json()},
        {"val_recall", std::isfinite(p.valRecall) ? nlohmann::json(p.valRecall) : nlohmann::json()},
        {"input", {{"path", p.inputPath}, {"sha256", p.inputSha256}, {"rows", p.inputRows}}},
        {"tta", p.tta},
        {"radius_arcsec", p.radiusArcsec},
        {"known_ring_catalogs", p.knownCatalogs},
        {"date", p.date},
        {"ringminer_version", p.version}};
    return j.dump(2) + "\n";
}

namespace {

class FitsWriter
{
public:
    explicit FitsWriter(const std::string& path) : m_path(path)
    {
        const std::string bang = "!" + path;
        fits_create_file(&m_f, bang.c_str(), &m_status);
        check("create");
    }
    ~FitsWriter()
    {
        int status = 0;
        if (m_f) fits_close_file(m_f, &status);
    }
    fitsfile* f() { return m_f; }
    int* status() { return &m_status; }
    void check(const char* what)
    {
        if (!m_status) return;
        char text[FLEN_STATUS];
        fits_get_errstatus(m_status, text);
        std::string msg = std::string("FITS ") + what + ": " + text;
        char detail[FLEN_ERRMSG];
        while (fits_read_errmsg(detail))
            msg += std::string("; ") + detail;
        throw InputError(m_path, 0, {}, msg);
    }
    void close()
    {
        fits_close_file(m_f, &m_status);
        m_f = nullptr;
        check("close");
    }

private:
    std::string m_path;
    fitsfile* m_f = nullptr;
    int m_status = 0;
};

std::size_t widest(const std::vector<std::string>& v)
{
    std::size_t w = 1;
    for (const std::string& s : v)
        w = std::max(w, s.size());
    return w;
}

} // namespace

void writeCandidatesFits(const std::string& path, const CandidateTable& t, const CandidateProvenance& p)
{
    const std::string tmp = tempName(path);
    {
        FitsWriter w(tmp);
        std::vector<std::string> names = {"ROW", "ID"}, forms = {"K", std::to_string(widest(t.id)) + "A"},
                                 units = {"", ""};
        if (t.hasPositions) {
            names.insert(names.end(), {"RA", "DEC"});
            forms.insert(forms.end(), {"D", "D"});
            units.insert(units.end(), {"deg", "deg"});
        }
        names.push_back("P_RING");
        forms.push_back("E");
        units.push_back("");
        if (t.tta) {
            names.push_back("P_RING_STD");
            forms.push_back("E");
            units.push_back("");
        }
        names.insert(names.end(), {"IS_RING", "KNOWN_RING", "KNOWN_CAT", "KNOWN_ID", "KNOWN_SEP", "ERROR"});
        forms.insert(forms.end(),
                     {"L", "L", std::to_string(widest(t.knownCatalog)) + "A",
                      std::to_string(widest(t.knownId)) + "A", "D", std::to_string(widest(t.error)) + "A"});
        units.insert(units.end(), {"", "", "", "", "arcsec", ""});
        std::vector<char*> n, f, u;
        for (std::size_t i = 0; i < names.size(); ++i) {
            n.push_back(names[i].data());
            f.push_back(forms[i].data());
            u.push_back(units[i].data());
        }
        fits_create_tbl(w.f(), BINARY_TBL, 0, static_cast<int>(names.size()), n.data(), f.data(), u.data(),
                        "CANDIDATES", w.status());
        w.check("create table");

        auto key = [&](const char* name, const std::string& value, const char* comment) {
            fits_write_key_longstr(w.f(), const_cast<char*>(name), const_cast<char*>(value.c_str()),
                                   const_cast<char*>(comment), w.status());
        };
        auto keyD = [&](const char* name, double value, const char* comment) {
            if (std::isfinite(value))
                fits_write_key_dbl(w.f(), const_cast<char*>(name), value, -15, const_cast<char*>(comment),
                                   w.status());
        };
        long long run = p.runId;
        long long rows = static_cast<long long>(p.inputRows);
        int tta = p.tta ? 1 : 0;
        fits_write_key_longwarn(w.f(), w.status());
        key("ORIGIN", "RingMiner " + p.version, "software that wrote this file");
        key("DATE", p.date, "when the mining run started (UTC)");
        fits_write_key(w.f(), TLONGLONG, "RM_RUN", &run, "training run id in the project", w.status());
        key("RM_CELL", p.cell, "experiment cell of the run");
        key("RM_ARCH", p.arch, "model architecture");
        key("RM_MODE", p.fineTune, "fine-tune mode");
        key("RM_WSHA", p.weightsSha256, "SHA-256 of the weights file");
        keyD("RM_THR", p.threshold, "is_ring means p_ring >= this");
        key("RM_THRHW", p.thresholdHow, "how the threshold was chosen");
        keyD("RM_TPREC", p.targetPrecision, "target precision on validation");
        keyD("RM_VPREC", p.valPrecision, "precision at RM_THR on validation");
        keyD("RM_VREC", p.valRecall, "recall at RM_THR on validation");
        key("RM_INPUT", p.inputPath, "input catalog");
        key("RM_INSHA", p.inputSha256, "SHA-256 of the input catalog");
        fits_write_key(w.f(), TLONGLONG, "RM_INROW", &rows, "rows of the input catalog", w.status());
        fits_write_key(w.f(), TLOGICAL, "RM_TTA", &tta, "mean over 8 rotations/flips", w.status());
        keyD("RM_RADIU", p.radiusArcsec, "[arcsec] known-ring match radius");
        std::string known;
        for (const std::string& k : p.knownCatalogs)
            known += (known.empty() ? "" : ",") + k;
        key("RM_KNOWN", known, "rings catalogs matched against");
        key("RM_VERS", p.version, "RingMiner version");
        w.check("write header");

        const std::size_t chunk = 8192;
        for (std::size_t b = 0; b < t.size(); b += chunk) {
            const std::size_t e = std::min(t.size(), b + chunk);
            const LONGLONG first = static_cast<LONGLONG>(b) + 1;
            const LONGLONG count = static_cast<LONGLONG>(e - b);
            int col = 1;
            std::vector<LONGLONG> rowv(t.sourceRow.begin() + b, t.sourceRow.begin() + e);
            fits_write_col(w.f(), TLONGLONG, col++, first, 1, count, rowv.data(), w.status());
            auto strings = [&](const std::vector<std::string>& v) {
                std::vector<char*> ptrs;
                for (std::size_t i = b; i < e; ++i)
                    ptrs.push_back(const_cast<char*>(v[i].c_str()));
                fits_write_col(w.f(), TSTRING, col++, first, 1, count, ptrs.data(), w.status());
            };
            auto doubles = [&](const std::vector<double>& v) {
                std::vector<double> d(v.begin() + b, v.begin() + e);
                fits_write_col(w.f(), TDOUBLE, col++, first, 1, count, d.data(), w.status());
            };
            auto floats = [&](const std::vector<float>& v) {
                std::vector<float> d(v.begin() + b, v.begin() + e);
                fits_write_col(w.f(), TFLOAT, col++, first, 1, count, d.data(), w.status());
            };
            auto logicals = [&](const std::vector<std::uint8_t>& v) {
                std::vector<char> d(v.begin() + b, v.begin() + e);
                fits_write_col(w.f(), TLOGICAL, col++, first, 1, count, d.data(), w.status());
            };
            strings(t.id);
            if (t.hasPositions) {
                doubles(t.ra);
                doubles(t.dec);
            }
            floats(t.pRing);
            if (t.tta) floats(t.pRingStd);
            logicals(t.isRing);
            logicals(t.knownRing);
            strings(t.knownCatalog);
            strings(t.knownId);
            doubles(t.knownSeparation);
            strings(t.error);
            w.check("write rows");
        }
        w.close();
    }
    syncAndRename(tmp, path);
}

} // namespace rm
