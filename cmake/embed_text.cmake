# Writes a C++ file defining `std::string_view NAME()` that returns the text of IN (a build step,
# so the binary carries docs it prints, e.g. docs/diagnostics.md for `healthc explain-code`).
# Bytes, not characters: `unsigned char`, so UTF-8 text over 0x7F is no narrowing.
# cmake -DIN=file -DOUT=file.cpp -DNAME=fn -DNAMESPACE=ns -P embed_text.cmake
file(READ "${IN}" text HEX)
string(LENGTH "${text}" length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${text}")
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by cmake/embed_text.cmake; do not edit.\n"
  "#include <string_view>\nnamespace ${NAMESPACE} {\n"
  "static const unsigned char k_text[] = {${bytes} 0};\n"
  "std::string_view ${NAME}() { return {reinterpret_cast<const char*>(k_text), sizeof(k_text) - 1}; }\n}\n")
file(RENAME "${OUT}.tmp" "${OUT}")
