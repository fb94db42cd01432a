#pragma once
// Why an image could not be had. Callers that build training sets treat these differently: a missing image is
// "not downloaded yet / wrong template", a corrupt one is a bad file that should be replaced. Both name the
// file.
#include "util/Error.h"

namespace rm {

class ImageMissingError : public InputError
{
public:
    ImageMissingError(std::string file, std::string reason)
        : InputError(std::move(file), 0, {}, std::move(reason))
    {
    }
};

class ImageCorruptError : public InputError
{
public:
    ImageCorruptError(std::string file, std::string reason)
        : InputError(std::move(file), 0, {}, std::move(reason))
    {
    }
};

} // namespace rm
