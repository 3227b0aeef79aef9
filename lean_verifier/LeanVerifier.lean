/-!
# LeanVerifier

An empty library: `lean_verifier` exists so that standalone Lean files have a Lake project (and a
toolchain) to be checked in. LeanAssist sends the file's own text to the REPL; nothing here is imported.
-/
