
"µÚT¿Ém ?A_p?gÒÆ¿Şú²¿Â%?B	initial_c