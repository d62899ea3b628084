file(REMOVE_RECURSE
  "libwebbotauth.a"
)
