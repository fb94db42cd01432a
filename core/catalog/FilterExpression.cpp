#include "catalog/FilterExpression.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace rm {

namespace {

enum class Tok
{
    Column,
    Number,
    String,
    Op,
    LParen,
    RParen,
    And,
    Or,
    Not,
    Like,
    Is,
    Null,
    End
};

struct Token
{
    Tok kind = Tok::End;
    std::string text;  // as typed, for messages
    std::string value; // the column name or string without quotes, or the number's digits
    int pos = 0;       // 1-based
};

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string at(int pos)
{
    return "at character " + std::to_string(pos);
}

bool isIdentStart(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool isIdentChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}
bool isDigit(char c)
{
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

class Lexer
{
public:
    explicit Lexer(const std::string& s) : m_s(s) {}

    std::vector<Token> tokens()
    {
        std::vector<Token> out;
        for (;;) {
            Token t = next(out.empty() ? nullptr : &out.back());
            out.push_back(t);
            if (t.kind == Tok::End) return out;
        }
    }

private:
    // A sign belongs to a number only where a value is expected, so `dec>-5` is dec > -5 and `a-5` is an
    // error.
    static bool valueExpectedAfter(const Token* prev)
    {
        if (!prev) return true;
        switch (prev->kind) {
        case Tok::Column:
        case Tok::Number:
        case Tok::String:
        case Tok::RParen:
        case Tok::Null:
            return false;
        default:
            return true;
        }
    }

    Token next(const Token* prev)
    {
        while (m_i < m_s.size() && std::isspace(static_cast<unsigned char>(m_s[m_i])))
            ++m_i;
        Token t;
        t.pos = int(m_i) + 1;
        if (m_i >= m_s.size()) return t;
        const char c = m_s[m_i];
        const char d = m_i + 1 < m_s.size() ? m_s[m_i + 1] : '\0';

        if (c == '(' || c == ')') {
            t.kind = c == '(' ? Tok::LParen : Tok::RParen;
            t.text = std::string(1, c);
            ++m_i;
            return t;
        }
        if (c == '\'' || c == '"') return quoted(t, c, Tok::String, "string");
        if (c == '`') return quoted(t, '`', Tok::Column, "quoted column name");
        if (c == '[') return quoted(t, ']', Tok::Column, "quoted column name");
        if (isDigit(c) || (c == '.' && isDigit(d)) ||
            ((c == '-' || c == '+') && (isDigit(d) || d == '.') && valueExpectedAfter(prev)))
            return number(t);
        for (const char* op : {"<=", ">=", "!=", "<>", "==", "=", "<", ">"}) {
            const std::size_t n = std::char_traits<char>::length(op);
            if (m_s.compare(m_i, n, op) == 0) {
                t.kind = Tok::Op;
                t.text = op;
                m_i += n;
                return t;
            }
        }
        if (isIdentStart(c)) {
            const std::size_t b = m_i;
            while (m_i < m_s.size() && isIdentChar(m_s[m_i]))
                ++m_i;
            t.text = t.value = m_s.substr(b, m_i - b);
            const std::string k = lower(t.text);
            t.kind = k == "and"    ? Tok::And
                     : k == "or"   ? Tok::Or
                     : k == "not"  ? Tok::Not
                     : k == "like" ? Tok::Like
                     : k == "is"   ? Tok::Is
                     : k == "null" ? Tok::Null
                                   : Tok::Column;
            return t;
        }
        throw FilterError("unexpected character '" + std::string(1, c) + "' " + at(t.pos), t.pos,
                          std::string(1, c));
    }

    Token quoted(Token t, char close, Tok kind, const char* what)
    {
        const std::size_t b = m_i++;
        std::string value;
        for (;;) {
            if (m_i >= m_s.size())
                throw FilterError(std::string("unterminated ") + what + " starting " + at(t.pos), t.pos,
                                  m_s.substr(b));
            const char c = m_s[m_i++];
            if (c == close) {
                // A doubled quote inside a string is one quote, as in SQL.
                if (m_i < m_s.size() && m_s[m_i] == close && close != ']') {
                    value += close;
                    ++m_i;
                    continue;
                }
                break;
            }
            value += c;
        }
        t.kind = kind;
        t.value = value;
        t.text = m_s.substr(b, m_i - b);
        if (kind == Tok::Column && value.empty())
            throw FilterError("empty column name " + at(t.pos), t.pos, t.text);
        return t;
    }

    Token number(Token t)
    {
        const std::size_t b = m_i;
        if (m_s[m_i] == '-' || m_s[m_i] == '+') ++m_i;
        while (m_i < m_s.size() && (isDigit(m_s[m_i]) || m_s[m_i] == '.'))
            ++m_i;
        if (m_i < m_s.size() && (m_s[m_i] == 'e' || m_s[m_i] == 'E')) {
            std::size_t e = m_i + 1;
            if (e < m_s.size() && (m_s[e] == '-' || m_s[e] == '+')) ++e;
            if (e < m_s.size() && isDigit(m_s[e])) {
                m_i = e;
                while (m_i < m_s.size() && isDigit(m_s[m_i]))
                    ++m_i;
            }
        }
        // "5abc" is a typo, not the number 5 followed by a column.
        while (m_i < m_s.size() && isIdentChar(m_s[m_i]))
            ++m_i;
        t.kind = Tok::Number;
        t.text = t.value = m_s.substr(b, m_i - b);
        return t;
    }

    const std::string& m_s;
    std::size_t m_i = 0;
};

struct Operand
{
    enum Kind
    {
        Column,
        Number,
        String
    } kind = Column;
    std::string sql; // for a column
    SqlParam value;  // for a literal
    bool emptyString = false;
};

class Parser
{
public:
    Parser(std::vector<Token> tokens, const std::vector<FilterColumn>& columns)
        : m_t(std::move(tokens)), m_columns(columns)
    {
    }

    CompiledFilter parse()
    {
        CompiledFilter f;
        if (peek().kind == Tok::End) return f;
        f.where = expr();
        if (peek().kind != Tok::End) {
            const Token& t = peek();
            if (t.kind == Tok::RParen) fail(t, "unmatched ')' " + at(t.pos));
            fail(t, "unexpected '" + t.text + "' " + at(t.pos) +
                        " after a complete condition; join conditions "
                        "with 'and' / 'or'");
        }
        f.params = std::move(m_params);
        return f;
    }

private:
    const Token& peek() const { return m_t[m_i]; }
    const Token& take() { return m_t[m_i < m_t.size() - 1 ? m_i++ : m_i]; }

    [[noreturn]] static void fail(const Token& t, const std::string& message)
    {
        throw FilterError(message, t.pos, t.text);
    }

    static std::string describe(const Token& t)
    {
        return t.kind == Tok::End ? std::string("the end of the filter") : "'" + t.text + "' " + at(t.pos);
    }

    std::string expr()
    {
        std::string s = term();
        while (peek().kind == Tok::Or) {
            take();
            s = "(" + s + " OR " + term() + ")";
        }
        return s;
    }

    std::string term()
    {
        std::string s = factor();
        while (peek().kind == Tok::And) {
            take();
            s = "(" + s + " AND " + factor() + ")";
        }
        return s;
    }

    std::string factor()
    {
        if (peek().kind == Tok::Not) {
            take();
            return "(NOT " + factor() + ")";
        }
        if (peek().kind == Tok::LParen) {
            const Token open = take();
            std::string inner = expr();
            if (peek().kind != Tok::RParen)
                fail(peek(), "missing ')' for the '(' " + at(open.pos) + ", found " + describe(peek()));
            take();
            return inner; // already parenthesised: every compound is emitted inside its own parentheses
        }
        return comparison();
    }

    std::string comparison()
    {
        const Token lhsToken = peek();
        Operand lhs = operand();
        const Token& opToken = peek();
        if (opToken.kind == Tok::Is) {
            take();
            bool negate = false;
            if (peek().kind == Tok::Not) {
                take();
                negate = true;
            }
            if (peek().kind != Tok::Null)
                fail(peek(), "expected 'null' after 'is', found " + describe(peek()));
            take();
            return "(" + emit(lhs) + (negate ? " IS NOT NULL)" : " IS NULL)");
        }
        bool notLike = false;
        if (opToken.kind == Tok::Not) {
            take();
            if (peek().kind != Tok::Like)
                fail(peek(), "expected 'like' after 'not', found " + describe(peek()));
            notLike = true;
        }
        if (peek().kind == Tok::Like) {
            take();
            Operand rhs = operand();
            return "(" + emit(lhs) + (notLike ? " NOT LIKE " : " LIKE ") + emit(rhs) + ")";
        }
        if (peek().kind != Tok::Op)
            fail(peek(), "expected a comparison (= != < <= > >= like) after '" + lhsToken.text + "', found " +
                             describe(peek()));
        const std::string op = take().text;
        Operand rhs = operand();
        const std::string sqlOp = op == "==" ? "=" : op == "<>" ? "!=" : op;
        // Blank cells are NULL: let `= ''` find them and `!= ''` exclude them.
        if ((sqlOp == "=" || sqlOp == "!=") && (lhs.emptyString != rhs.emptyString)) {
            const Operand& other = lhs.emptyString ? rhs : lhs;
            if (other.kind == Operand::Column)
                return sqlOp == "=" ? "(" + other.sql + " IS NULL OR " + other.sql + " = '')"
                                    : "(" + other.sql + " IS NOT NULL AND " + other.sql + " != '')";
        }
        return "(" + emit(lhs) + " " + sqlOp + " " + emit(rhs) + ")";
    }

    Operand operand()
    {
        const Token& t = peek();
        Operand o;
        switch (t.kind) {
        case Tok::Column:
            o.kind = Operand::Column;
            o.sql = column(t);
            break;
        case Tok::String:
            o.kind = Operand::String;
            o.value = t.value;
            o.emptyString = t.value.empty();
            break;
        case Tok::Number:
            o = number(t);
            break;
        default:
            fail(t, "expected a column, number or string, found " + describe(t));
        }
        take();
        return o;
    }

    Operand number(const Token& t)
    {
        Operand o;
        o.kind = Operand::Number;
        const std::string& s = t.value;
        char* end = nullptr;
        const bool integral = s.find_first_of(".eE") == std::string::npos;
        if (integral) {
            errno = 0;
            const long long v = std::strtoll(s.c_str(), &end, 10);
            if (end && *end == '\0' && errno == 0) {
                o.value = std::int64_t(v);
                return o;
            }
        }
        const double v = std::strtod(s.c_str(), &end);
        if (!end || *end != '\0') fail(t, "'" + t.text + "' " + at(t.pos) + " is not a number");
        o.value = v;
        return o;
    }

    // A column the user named: exactly, else case-insensitively when that is unambiguous.
    std::string column(const Token& t) const
    {
        for (const auto& c : m_columns)
            if (c.name == t.value) return c.sql;
        const FilterColumn* found = nullptr;
        for (const auto& c : m_columns) {
            if (lower(c.name) != lower(t.value)) continue;
            if (found)
                fail(t, "column '" + t.value + "' " + at(t.pos) + " is ambiguous (" + found->name + ", " +
                            c.name + "): write it with the same case");
            found = &c;
        }
        if (found) return found->sql;
        std::string known;
        for (std::size_t i = 0; i < m_columns.size() && i < 15; ++i)
            known += (i ? ", " : "") + m_columns[i].name;
        if (m_columns.size() > 15) known += ", ... (" + std::to_string(m_columns.size()) + " columns)";
        fail(t, "unknown column '" + t.value + "' " + at(t.pos) + "; columns are: " + known +
                    " (put strings in quotes)");
    }

    std::string emit(const Operand& o)
    {
        if (o.kind == Operand::Column) return o.sql;
        m_params.push_back(o.value);
        return "?";
    }

    std::vector<Token> m_t;
    std::size_t m_i = 0;
    const std::vector<FilterColumn>& m_columns;
    std::vector<SqlParam> m_params;
};

} // namespace

CompiledFilter compileFilter(const std::string& text, const std::vector<FilterColumn>& columns)
{
    return Parser(Lexer(text).tokens(), columns).parse();
}

} // namespace rm
