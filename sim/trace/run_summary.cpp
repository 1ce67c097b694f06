#include "sim/trace/run_summary.hpp"

#include <algorithm>

namespace tcpsim {

RunSummary RunSummary::from_json(const Json& object) {
    RunSummary s;
    if (object.is_object())
        for (auto it = object.begin(); it != object.end(); ++it) s.set(it.key(), it.value());
    return s;
}

RunSummary::Member& RunSummary::slot(std::string key) {
    auto it = std::lower_bound(members_.begin(), members_.end(), key,
                               [](const Member& m, const std::string& k) { return m.key < k; });
    if (it == members_.end() || it->key != key) it = members_.insert(it, Member{std::move(key), {}, false, 0, {}});
    return *it;
}

void RunSummary::set(std::string key, Json value) {
    Member& m = slot(std::move(key));
    m.value = std::move(value);
    m.list = false;
    m.count = 0;
    m.element = nullptr;
}

void RunSummary::set_list(std::string key, size_t count, Element element) {
    Member& m = slot(std::move(key));
    m.value = nullptr;
    m.list = true;
    m.count = count;
    m.element = std::move(element);
}

const RunSummary::Member* RunSummary::find(std::string_view key) const {
    for (const Member& m : members_)
        if (m.key == key) return &m;
    return nullptr;
}

const Json* RunSummary::value(std::string_view key) const {
    const Member* m = find(key);
    return m && !m->list ? &m->value : nullptr;
}

void RunSummary::for_each(std::string_view key, const std::function<void(size_t, const Json&)>& fn) const {
    const Member* m = find(key);
    if (!m) return;
    if (m->list) {
        for (size_t i = 0; i < m->count; ++i) fn(i, m->element(i));
        return;
    }
    if (m->value.is_array())
        for (size_t i = 0; i < m->value.size(); ++i) fn(i, m->value[i]);
}

Json RunSummary::to_json() const {
    Json out = Json::object();
    for (const Member& m : members_) {
        if (!m.list) {
            out[m.key] = m.value;
            continue;
        }
        Json list = Json::array();
        for (size_t i = 0; i < m.count; ++i) list.push_back(m.element(i));
        out[m.key] = std::move(list);
    }
    return out;
}

void RunSummary::write(const Output& out, const Json& extra) const {
    // A JSON object's compact text is its members in key order: "key":value joined by commas.
    // The extra members and ours are merged in that order here; each list is written element by
    // element, gathered into pieces of about 16 KiB so the output is not called per element.
    constexpr size_t kPiece = 16 * 1024;
    std::string text = "{";
    bool first = true;
    auto member_head = [&](const std::string& key) {
        if (!first) text += ',';
        first = false;
        text += Json(key).dump();
        text += ':';
    };
    auto emit_if_big = [&] {
        if (text.size() < kPiece) return;
        out(text);
        text.clear();
    };
    auto e = extra.is_object() ? extra.begin() : Json::const_iterator{};
    auto e_end = extra.is_object() ? extra.end() : Json::const_iterator{};
    auto extra_before = [&](const std::string* key) {  // extra's members sorting before `key`
        for (; extra.is_object() && e != e_end && (!key || e.key() <= *key); ++e) {
            if (key && e.key() == *key) continue;  // the summary's own value wins
            member_head(e.key());
            text += e.value().dump();
            emit_if_big();
        }
    };
    for (const Member& m : members_) {
        extra_before(&m.key);
        member_head(m.key);
        if (!m.list) {
            text += m.value.dump();
            emit_if_big();
            continue;
        }
        text += '[';
        for (size_t i = 0; i < m.count; ++i) {
            if (i) text += ',';
            text += m.element(i).dump();
            emit_if_big();
        }
        text += ']';
    }
    extra_before(nullptr);
    text += '}';
    out(text);
}

uint64_t RunSummary::text_size(const Json& extra) const {
    uint64_t n = 0;
    write([&](std::string_view t) { n += t.size(); }, extra);
    return n;
}

}  // namespace tcpsim
