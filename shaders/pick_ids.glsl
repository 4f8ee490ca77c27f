// Vertex-stage pick ids. One visual may batch several entities (PICK_ATTRIB): then each instance
// carries its own (object id, instance index); otherwise the visual's object id and the
// instance's index are used.
#ifdef PICK_ATTRIB
in uvec2 in_pick;
#else
uniform uint u_object_id;
#endif

uvec2 pick_object_instance(uint default_instance) {
#ifdef PICK_ATTRIB
    return in_pick;
#else
    return uvec2(u_object_id, default_instance);
#endif
}
