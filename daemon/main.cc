// wbad: the Web Bot Auth verifier daemon.
#include "app.h"

int main(int argc, char** argv) { return wbad::run_daemon(argc, argv); }
