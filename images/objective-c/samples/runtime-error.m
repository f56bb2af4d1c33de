#import <objc/Object.h>
#include <stdlib.h>

@interface Failer : Object
+ (int)fail;
@end

@implementation Failer
+ (int)fail { return 3; }
@end

int main(void) { exit([Failer fail]); }
