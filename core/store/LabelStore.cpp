#include "store/LabelStore.h"

#include "store/ProjectStore.h"
#include "util/Error.h"

namespace rm {

const char* handLabelName(HandLabel l)
{
    switch (l) {
    case HandLabel::Ring:
        return "ring";
    case HandLabel::NotRing:
        return "not_ring";
    case HandLabel::Unsure:
        return "unsure";
    }
    return "unsure";
}

HandLabel parseHandLabel(const std::string& s)
{
    if (s == "ring") return HandLabel::Ring;
    if (s == "not_ring") return HandLabel::NotRing;
    if (s == "unsure") return HandLabel::Unsure;
    throw Error("unknown label '" + s + "' (expected ring, not_ring or unsure)");
}

void LabelStore::append(const GalaxyKey& g, double ra, double dec, std::optional<HandLabel> label,
                        const std::string& ringType, const std::string& action, const std::string& author)
{
    Statement s =
        m_db.prepare("INSERT INTO label_events(catalog_id, row, ra, dec, label, ring_type, action, author, "
                     "created_at) VALUES(?,?,?,?,?,?,?,?,?)");
    s.bind(1, g.catalogId).bind(2, g.row).bind(3, ra).bind(4, dec);
    if (label)
        s.bind(5, handLabelName(*label));
    else
        s.bindNull(5);
    s.bind(6, ringType)
        .bind(7, action)
        .bind(8, author.empty() ? std::string("unknown") : author)
        .bind(9, nowIso8601());
    s.run();
}

void LabelStore::set(const GalaxyKey& g, double ra, double dec, HandLabel label, const std::string& ringType,
                     const std::string& author)
{
    append(g, ra, dec, label, ringType, "set", author);
}

void LabelStore::clear(const GalaxyKey& g, const std::string& author)
{
    auto h = history(g);
    if (h.empty()) return;
    append(g, h.back().ra, h.back().dec, std::nullopt, "", "clear", author);
}

bool LabelStore::undo(const GalaxyKey& g, const std::string& author)
{
    // The value to restore is the one before the latest change that has not itself been undone: walk the
    // history as a stack where 'set'/'clear' push and 'undo' pops.
    auto h = history(g);
    std::vector<const LabelEvent*> stack;
    for (const auto& e : h) {
        if (e.action == "undo") {
            if (!stack.empty()) stack.pop_back();
        } else {
            stack.push_back(&e);
        }
    }
    if (stack.empty()) return false;
    stack.pop_back();
    const LabelEvent& last = h.back();
    if (stack.empty())
        append(g, last.ra, last.dec, std::nullopt, "", "undo", author);
    else
        append(g, last.ra, last.dec, stack.back()->label, stack.back()->ringType, "undo", author);
    return true;
}

static LabelEvent readEvent(Statement& s)
{
    LabelEvent e;
    e.id = s.integer(0);
    e.galaxy = {s.integer(1), s.integer(2)};
    e.ra = s.real(3);
    e.dec = s.real(4);
    if (!s.isNull(5)) e.label = parseHandLabel(s.text(5));
    e.ringType = s.text(6);
    e.action = s.text(7);
    e.author = s.text(8);
    e.createdAt = s.text(9);
    return e;
}

std::vector<LabelEvent> LabelStore::history(const GalaxyKey& g)
{
    Statement s =
        m_db.prepare("SELECT id, catalog_id, row, ra, dec, label, ring_type, action, author, created_at "
                     "FROM label_events WHERE catalog_id = ? AND row = ? ORDER BY id");
    s.bind(1, g.catalogId).bind(2, g.row);
    std::vector<LabelEvent> out;
    while (s.step())
        out.push_back(readEvent(s));
    return out;
}

std::optional<CurrentLabel> LabelStore::current(const GalaxyKey& g)
{
    auto h = history(g);
    if (h.empty() || !h.back().label) return std::nullopt;
    return CurrentLabel{g, h.back().ra, h.back().dec, *h.back().label, h.back().ringType};
}

std::vector<CurrentLabel> LabelStore::allCurrent()
{
    Statement s =
        m_db.prepare("SELECT e.catalog_id, e.row, e.ra, e.dec, e.label, e.ring_type FROM label_events e "
                     "JOIN (SELECT catalog_id, row, max(id) AS last FROM label_events GROUP BY catalog_id, "
                     "row) l ON e.id = l.last "
                     "WHERE e.label IS NOT NULL ORDER BY e.catalog_id, e.row");
    std::vector<CurrentLabel> out;
    while (s.step())
        out.push_back(
            {{s.integer(0), s.integer(1)}, s.real(2), s.real(3), parseHandLabel(s.text(4)), s.text(5)});
    return out;
}

} // namespace rm
