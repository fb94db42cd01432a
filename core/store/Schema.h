#pragma once
// The project schema, one place for all of it. Version 1 is created whole; later versions add migrations.
namespace rm::schema {

extern const char* const kVersion1;

} // namespace rm::schema
