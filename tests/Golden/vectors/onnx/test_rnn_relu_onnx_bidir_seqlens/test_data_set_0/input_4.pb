
*Bsequence_lens