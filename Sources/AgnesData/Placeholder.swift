// Reserved for the AgnesData library; it is filled by later issues (see README.md, "Layout").
