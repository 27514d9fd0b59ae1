#include "velo/connectors/file/schema_union.h"

#include <algorithm>

#include "velo/types/error.h"

namespace velo {

SchemaPtr union_of_file_schemas_by_name(Format& format, FileSystem& fs,
                                        const std::vector<FileInfo>& files, const Options& options,
                                        const std::string& uri, std::vector<SchemaPtr>* per_file) {
  per_file->assign(files.size(), nullptr);
  std::vector<Field> fields;
  std::vector<size_t> first_file;  // where each union column was first seen
  bool text = format.name() == "csv" || format.name() == "json";
  for (size_t i = 0; i < files.size(); ++i) {
    SchemaPtr own = format.infer_schema(fs.open_read(files[i].path), options);
    (*per_file)[i] = own;
    for (const Field& f : own->fields()) {
      auto it = std::find_if(fields.begin(), fields.end(),
                             [&](const Field& u) { return iequals(u.name, f.name); });
      if (it == fields.end()) {
        fields.push_back(Field{f.name, f.type, true});
        first_file.push_back(i);
        continue;
      }
      DataType merged;
      if (common_super_type(it->type, f.type, &merged)) {
        it->type = merged;
      } else if (text && (it->type.id() == TypeId::kString || f.type.id() == TypeId::kString)) {
        it->type = DataType::string();
      } else {
        throw_user_error(
            "column '{}' is {} in '{}' but {} in '{}': the files of '{}' cannot be read as one "
            "table (declare schema = '...' or select files with compatible columns)",
            f.name, it->type.to_string(), files[first_file[it - fields.begin()]].path,
            f.type.to_string(), files[i].path, uri);
      }
    }
  }
  // Files whose own schema equals the union read without any remapping.
  auto result = std::make_shared<const Schema>(std::move(fields));
  for (auto& own : *per_file)
    if (*own == *result) own = result;
  return result;
}

}  // namespace velo
