
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/lib/crypto/algorithm.cc" "lib/CMakeFiles/webbotauth.dir/crypto/algorithm.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/crypto/algorithm.cc.o.d"
  "/work/main/lib/crypto/content_digest.cc" "lib/CMakeFiles/webbotauth.dir/crypto/content_digest.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/crypto/content_digest.cc.o.d"
  "/work/main/lib/crypto/hash.cc" "lib/CMakeFiles/webbotauth.dir/crypto/hash.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/crypto/hash.cc.o.d"
  "/work/main/lib/crypto/key.cc" "lib/CMakeFiles/webbotauth.dir/crypto/key.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/crypto/key.cc.o.d"
  "/work/main/lib/crypto/random.cc" "lib/CMakeFiles/webbotauth.dir/crypto/random.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/crypto/random.cc.o.d"
  "/work/main/lib/crypto/sodium_init.cc" "lib/CMakeFiles/webbotauth.dir/crypto/sodium_init.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/crypto/sodium_init.cc.o.d"
  "/work/main/lib/directory/agent_card.cc" "lib/CMakeFiles/webbotauth.dir/directory/agent_card.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/directory/agent_card.cc.o.d"
  "/work/main/lib/directory/directory.cc" "lib/CMakeFiles/webbotauth.dir/directory/directory.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/directory/directory.cc.o.d"
  "/work/main/lib/directory/serve.cc" "lib/CMakeFiles/webbotauth.dir/directory/serve.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/directory/serve.cc.o.d"
  "/work/main/lib/directory/verify.cc" "lib/CMakeFiles/webbotauth.dir/directory/verify.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/directory/verify.cc.o.d"
  "/work/main/lib/encoding/base64.cc" "lib/CMakeFiles/webbotauth.dir/encoding/base64.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/encoding/base64.cc.o.d"
  "/work/main/lib/http/fields.cc" "lib/CMakeFiles/webbotauth.dir/http/fields.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/http/fields.cc.o.d"
  "/work/main/lib/http/http1_text.cc" "lib/CMakeFiles/webbotauth.dir/http/http1_text.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/http/http1_text.cc.o.d"
  "/work/main/lib/http/target.cc" "lib/CMakeFiles/webbotauth.dir/http/target.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/http/target.cc.o.d"
  "/work/main/lib/jose/thumbprint.cc" "lib/CMakeFiles/webbotauth.dir/jose/thumbprint.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/jose/thumbprint.cc.o.d"
  "/work/main/lib/profile/signature_agent.cc" "lib/CMakeFiles/webbotauth.dir/profile/signature_agent.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/profile/signature_agent.cc.o.d"
  "/work/main/lib/profile/web_bot_auth.cc" "lib/CMakeFiles/webbotauth.dir/profile/web_bot_auth.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/profile/web_bot_auth.cc.o.d"
  "/work/main/lib/result.cc" "lib/CMakeFiles/webbotauth.dir/result.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/result.cc.o.d"
  "/work/main/lib/sfv/parser.cc" "lib/CMakeFiles/webbotauth.dir/sfv/parser.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sfv/parser.cc.o.d"
  "/work/main/lib/sfv/serializer.cc" "lib/CMakeFiles/webbotauth.dir/sfv/serializer.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sfv/serializer.cc.o.d"
  "/work/main/lib/sfv/value.cc" "lib/CMakeFiles/webbotauth.dir/sfv/value.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sfv/value.cc.o.d"
  "/work/main/lib/sig/component.cc" "lib/CMakeFiles/webbotauth.dir/sig/component.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sig/component.cc.o.d"
  "/work/main/lib/sig/signature_base.cc" "lib/CMakeFiles/webbotauth.dir/sig/signature_base.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sig/signature_base.cc.o.d"
  "/work/main/lib/sig/signature_fields.cc" "lib/CMakeFiles/webbotauth.dir/sig/signature_fields.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sig/signature_fields.cc.o.d"
  "/work/main/lib/sig/signature_params.cc" "lib/CMakeFiles/webbotauth.dir/sig/signature_params.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sig/signature_params.cc.o.d"
  "/work/main/lib/sig/signer.cc" "lib/CMakeFiles/webbotauth.dir/sig/signer.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sig/signer.cc.o.d"
  "/work/main/lib/sig/verifier.cc" "lib/CMakeFiles/webbotauth.dir/sig/verifier.cc.o" "gcc" "lib/CMakeFiles/webbotauth.dir/sig/verifier.cc.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
