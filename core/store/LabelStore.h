#pragma once
// Hand labels: ring / not ring / unsure (with an optional ring type), saved the moment they are given, with
// an append-only history (who, when). Undo appends the previous value rather than deleting, so history is
// complete.
#include "store/Database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rm {

enum class HandLabel
{
    Ring,
    NotRing,
    Unsure
};
const char* handLabelName(HandLabel l); // "ring", "not_ring", "unsure"
HandLabel parseHandLabel(const std::string& s);

struct GalaxyKey
{
    std::int64_t catalogId = 0;
    std::int64_t row = 0;
};

struct LabelEvent
{
    std::int64_t id = 0;
    GalaxyKey galaxy;
    double ra = 0, dec = 0;
    std::optional<HandLabel> label; // nullopt = cleared
    std::string ringType;
    std::string action; // set, undo, clear
    std::string author;
    std::string createdAt;
};

struct CurrentLabel
{
    GalaxyKey galaxy;
    double ra = 0, dec = 0;
    HandLabel label = HandLabel::Unsure;
    std::string ringType;
};

class LabelStore
{
public:
    explicit LabelStore(Database& db) : m_db(db) {}

    void set(const GalaxyKey& g, double ra, double dec, HandLabel label, const std::string& ringType,
             const std::string& author);
    void clear(const GalaxyKey& g, const std::string& author);
    // Restores the value before the galaxy's latest change; returns false if there is nothing to undo.
    bool undo(const GalaxyKey& g, const std::string& author);
    std::optional<CurrentLabel> current(const GalaxyKey& g);
    std::vector<LabelEvent> history(const GalaxyKey& g);
    std::vector<CurrentLabel> allCurrent(); // every galaxy whose latest event is a label

private:
    void append(const GalaxyKey& g, double ra, double dec, std::optional<HandLabel> label,
                const std::string& ringType, const std::string& action, const std::string& author);
    Database& m_db;
};

} // namespace rm
